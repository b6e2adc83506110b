// A local stand-in for the AWS services Flowbench calls, speaking their wire protocols on 127.0.0.1 so the
// real AWS SDK v3 clients talk to it unchanged (pointed at it by `endpoint`, or by AWS_ENDPOINT_URL):
// - JSON RPC services (SageMaker and CloudWatch Logs: awsJson1_1; CloudWatch: awsJson1_0) by `X-Amz-Target`,
//   answered by handlers a service module registers (`on('SageMaker.CreateModel', …)`);
// - SageMaker Runtime (restJson1): `POST /endpoints/{name}/invocations`, by a registered `invoke` handler;
// - S3 (restXml, path-style): an in-memory object store in `s3.ts`.
// Every call is recorded in order, so a test asserts the sequence and payloads the code under test sent, and
// any target can be made to fail on purpose (`failNext`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Store } from './s3';

export interface FakeCall {
  /** `SageMaker.CreateModel`, `Logs_20140328.GetLogEvents`, `S3.PutObject`, `SageMakerRuntime.InvokeEndpoint`, … */
  target: string;
  /** The parsed JSON input (JSON services), or for S3 and the runtime: method, bucket/key, size. */
  input: Record<string, unknown>;
}

/** An AWS error as the JSON protocols carry it: `__type` and `message`, with an HTTP status. */
export class FakeAwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export type JsonHandler = (input: Record<string, unknown>) => unknown | Promise<unknown>;

export interface InvokeRequest {
  endpointName: string;
  contentType: string;
  accept: string;
  body: Buffer;
}
export interface InvokeResponse {
  status?: number;
  contentType?: string;
  body: Buffer | string;
}
export type InvokeHandler = (req: InvokeRequest) => InvokeResponse | Promise<InvokeResponse>;

export interface FakeAws {
  /** `http://127.0.0.1:<port>`: give it to a client as `endpoint` (S3 also needs `forcePathStyle: true`). */
  endpoint: string;
  calls: FakeCall[];
  s3: S3Store;
  /** Answers a JSON target; registering it again replaces the handler. */
  on(target: string, handler: JsonHandler): void;
  onInvoke(handler: InvokeHandler): void;
  /** The next `times` calls of `target` fail with this error, before any handler runs. */
  failNext(target: string, error: FakeAwsError, times?: number): void;
  /** The targets called so far, in order (optionally only those starting with `prefix`). */
  targets(prefix?: string): string[];
  close(): Promise<void>;
}

/**
 * Credentials and region for a client of the fake: the SDK signs every request, the fake never checks the
 * signature, and these keep the SDK from looking for real ones on the machine.
 */
export function fakeClientConfig(fake: FakeAws): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return { endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' } };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, contentType: string, value: unknown): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(value ?? {}));
}

export async function startFakeAws(): Promise<FakeAws> {
  const calls: FakeCall[] = [];
  const handlers = new Map<string, JsonHandler>();
  const failures = new Map<string, { error: FakeAwsError; times: number }>();
  const s3 = new S3Store();
  let invoke: InvokeHandler | undefined;

  const failure = (target: string): FakeAwsError | undefined => {
    const f = failures.get(target);
    if (!f) return undefined;
    if (--f.times <= 0) failures.delete(target);
    return f.error;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const amzTarget = req.headers['x-amz-target'];
    if (typeof amzTarget === 'string') {
      const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
      let input: Record<string, unknown>;
      try {
        input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return sendJson(res, 400, contentType, { __type: 'SerializationException', message: 'body is not JSON' });
      }
      calls.push({ target: amzTarget, input });
      try {
        const failed = failure(amzTarget);
        if (failed) throw failed;
        const handler = handlers.get(amzTarget);
        if (!handler) throw new FakeAwsError('UnknownOperationException', `the fake does not model ${amzTarget}`);
        return sendJson(res, 200, contentType, await handler(input));
      } catch (e) {
        const error = e instanceof FakeAwsError ? e : new FakeAwsError('InternalFailure', String(e), 500);
        res.setHeader('x-amzn-errortype', error.type);
        return sendJson(res, error.status, contentType, { __type: error.type, message: error.message });
      }
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const invocation = /^\/endpoints\/([^/]+)\/invocations$/.exec(url.pathname);
    if (invocation && req.method === 'POST') {
      const endpointName = decodeURIComponent(invocation[1]!);
      const target = 'SageMakerRuntime.InvokeEndpoint';
      calls.push({ target, input: { EndpointName: endpointName, ContentType: req.headers['content-type'], size: body.length } });
      const failed = failure(target);
      if (failed || !invoke) {
        const error = failed ?? new FakeAwsError('ValidationError', `Endpoint ${endpointName} not found.`);
        res.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.type });
        return void res.end(JSON.stringify({ message: error.message }));
      }
      const out = await invoke({ endpointName, contentType: String(req.headers['content-type'] ?? ''), accept: String(req.headers['accept'] ?? ''), body });
      res.writeHead(out.status ?? 200, { 'content-type': out.contentType ?? 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' });
      return void res.end(out.body);
    }
    return s3.handle(req, res, url, body, (target, input) => {
      calls.push({ target, input });
      return failure(target);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    s3,
    on: (target, handler) => void handlers.set(target, handler),
    onInvoke: (handler) => void (invoke = handler),
    failNext: (target, error, times = 1) => void failures.set(target, { error, times }),
    targets: (prefix = '') => calls.map((c) => c.target).filter((t) => t.startsWith(prefix)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
