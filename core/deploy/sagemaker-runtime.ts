// A request to a SageMaker endpoint through SageMaker Runtime's InvokeEndpoint. The container's own answer
// (a 4xx/5xx from the model server, which the SDK raises as ModelError) is a result to show, not a failure
// of the call; access, throttling and unknown-endpoint errors are failures, in plain words. A body for the
// local endpoint (JSON rows, named tensors, CSV) is translated to Triton's KServe v2 form from the model's
// signature when the project is known and the endpoint runs SageMaker's Triton image.
import { join } from 'node:path';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig } from '../aws/clients';
import { AwsProblem, awsProblem } from '../aws/errors';
import { inspectOnnx } from '../model/onnx-inspect';
import { RequestError } from './local-rows';
import { kserveBody } from './sagemaker-request';
import type { DeploymentRecord } from './types';

export interface InvokeResult {
  status: number;
  contentType: string;
  body: string;
  /** Round trip as the caller saw it. */
  ms: number;
}

async function tritonBody(record: DeploymentRecord, body: string | Uint8Array, contentType: string, projectDir: string | undefined): Promise<{ body: string | Uint8Array; contentType: string }> {
  if (!projectDir || record.image || !/^(application\/json|text\/csv)\b/i.test(contentType)) return { body, contentType };
  const inspection = await inspectOnnx(join(projectDir, record.model));
  try {
    return { body: kserveBody(inspection, contentType, Buffer.from(body)), contentType: 'application/json' };
  } catch (e) {
    if (e instanceof RequestError) throw new AwsProblem(`the request does not fit the model: ${e.message}`);
    throw e;
  }
}

/** `projectDir`: translate a local-style JSON body for Triton (see above); without it the body goes as is. */
export async function invokeSageMaker(record: DeploymentRecord, body: string | Uint8Array, contentType: string, opts: { projectDir?: string } = {}): Promise<InvokeResult> {
  const name = record.endpointName ?? record.name;
  const payload = await tritonBody(record, body, contentType, opts.projectDir);
  const runtime = new SageMakerRuntimeClient(awsClientConfig({ region: record.region, awsProfile: record.awsProfile }));
  const started = performance.now();
  try {
    const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: payload.contentType, Accept: 'application/json', Body: typeof payload.body === 'string' ? Buffer.from(payload.body) : payload.body }));
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
