// A request to a SageMaker endpoint through SageMaker Runtime's InvokeEndpoint. The container's own answer
// (a 4xx/5xx from the model server, which the SDK raises as ModelError) is a result to show, not a failure
// of the call; access, throttling and unknown-endpoint errors are failures, in plain words. A body for the
// local endpoint (JSON rows, named tensors, CSV) is translated to Triton's KServe v2 form from the model's
// signature when the project is known and the endpoint runs SageMaker's Triton image. The body as it would
// be sent is checked against InvokeEndpoint's payload limit (6 MB real-time, 4 MB serverless) before any call.
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

const MB = 1024 * 1024;
/** InvokeEndpoint's payload limits (the SageMaker Runtime quotas, not adjustable). */
export const REALTIME_PAYLOAD_BYTES = 6 * MB;
export const SERVERLESS_PAYLOAD_BYTES = 4 * MB;

/**
 * Why a body of `bytes` cannot go to this endpoint, or undefined when it fits. A record written before
 * deployments kept their sizing counts as real-time: the larger limit, which SageMaker enforces anyway.
 */
export function payloadProblem(record: Pick<DeploymentRecord, 'name' | 'serverless'>, bytes: number): string | undefined {
  const [limit, kind] = record.serverless ? [SERVERLESS_PAYLOAD_BYTES, 'a serverless'] : [REALTIME_PAYLOAD_BYTES, 'a real-time'];
  if (bytes <= limit) return undefined;
  return `the request body is ${(bytes / MB).toFixed(1)} MB (${bytes} bytes); InvokeEndpoint takes at most ${limit / MB} MB (${limit} bytes) on ${kind} endpoint such as ${record.name}`;
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

export interface SageMakerPayload {
  body: string | Uint8Array;
  contentType: string;
}

/**
 * The body as InvokeEndpoint will carry it (translated for Triton when `projectDir` is given, see above),
 * refused over the endpoint's payload limit. Makes no AWS call.
 */
export async function sageMakerPayload(record: DeploymentRecord, body: string | Uint8Array, contentType: string, opts: { projectDir?: string } = {}): Promise<SageMakerPayload> {
  const payload = await tritonBody(record, body, contentType, opts.projectDir);
  const tooLarge = payloadProblem(record, Buffer.byteLength(payload.body));
  if (tooLarge) throw new AwsProblem(tooLarge, 'send fewer rows per request', 'PayloadTooLarge');
  return payload;
}

/** `projectDir`: translate a local-style JSON body for Triton (see above); without it the body goes as is. */
export async function invokeSageMaker(record: DeploymentRecord, body: string | Uint8Array, contentType: string, opts: { projectDir?: string } = {}): Promise<InvokeResult> {
  const name = record.endpointName ?? record.name;
  const payload = await sageMakerPayload(record, body, contentType, opts);
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
