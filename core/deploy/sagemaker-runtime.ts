// A request to a SageMaker endpoint through SageMaker Runtime's InvokeEndpoint. The container's own answer
// (a 4xx/5xx from the model server, which the SDK raises as ModelError) is a result to show, not a failure
// of the call; access, throttling and unknown-endpoint errors are failures, in plain words.
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig } from '../aws/clients';
import { awsProblem } from '../aws/errors';
import type { DeploymentRecord } from './types';

export interface InvokeResult {
  status: number;
  contentType: string;
  body: string;
  /** Round trip as the caller saw it. */
  ms: number;
}

export async function invokeSageMaker(record: DeploymentRecord, body: string | Uint8Array, contentType: string, awsProfile?: string): Promise<InvokeResult> {
  const name = record.endpointName ?? record.name;
  const runtime = new SageMakerRuntimeClient(awsClientConfig({ region: record.region, awsProfile }));
  const started = performance.now();
  try {
    const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: contentType, Accept: 'application/json', Body: typeof body === 'string' ? Buffer.from(body) : body }));
    return { status: 200, contentType: out.ContentType ?? 'application/octet-stream', body: Buffer.from(out.Body ?? new Uint8Array()).toString('utf8'), ms: performance.now() - started };
  } catch (e) {
    const err = e as { name?: string; OriginalStatusCode?: number; OriginalMessage?: string; message?: string };
    if (err.name === 'ModelError') {
      return { status: err.OriginalStatusCode ?? 500, contentType: 'text/plain', body: err.OriginalMessage ?? err.message ?? '', ms: performance.now() - started };
    }
    throw awsProblem(e, `send a request to endpoint ${name}`);
  } finally {
    runtime.destroy();
  }
}
