// The local endpoint: its own Node process (bundled to dist/endpoint-server.js, started detached by
// local-deploy.ts) that serves one ONNX model with onnxruntime-node on 127.0.0.1 under SageMaker's container
// contract: GET /ping (200 once the model is loaded), POST /invocations. Requests are checked against the
// signature (local-rows.ts), batched (local-batcher.ts) and logged (local-log.ts). SIGTERM stops accepting,
// lets in-flight requests finish, flushes the log and exits 0.
//
// Arguments: --model FILE --port P [--log FILE] [--log-max-bytes N] [--no-batching] [--max-batch N]
// [--batch-window-ms MS]. When ready it prints one line to stdout, {"ready":true,"port":P,"pid":N}, or
// {"ready":false,"error":"…"} before exiting 1; after that nothing more is written to stdout.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { inspectOnnx } from '../model/onnx-inspect';
import { plain, tensorOf } from '../model/ort-tensors';
import type { FeedSpec } from '../model/ort-protocol';
import { Batcher, type Feed, type OutTensor } from './local-batcher';
import { RequestLog, LOG_MAX_BYTES } from './local-log';
import { parseRequest, RequestError, signatureOf, type ParsedRequest, type Signature } from './local-rows';

/** SageMaker's real-time payload limit. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
const DRAIN_LIMIT_MS = 30_000;
/** Bytes of an oversize body read and dropped before the connection is cut instead. */
const DISCARD_LIMIT = 64 * 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    port: { type: 'string', default: '8080' },
    log: { type: 'string' },
    'log-max-bytes': { type: 'string' },
    'no-batching': { type: 'boolean', default: false },
    'max-batch': { type: 'string', default: '256' },
    'batch-window-ms': { type: 'string', default: '0' },
  },
});

let announced = false;
function announce(message: object): void {
  if (announced) return;
  announced = true;
  process.stdout.write(JSON.stringify(message) + '\n');
}

function fail(error: string): never {
  announce({ ready: false, error });
  process.stderr.write(`flowbench endpoint: ${error}\n`);
  process.exit(1);
}

let session: ort.InferenceSession | undefined;
let signature: Signature | undefined;
let batcher: Batcher | undefined;
const log = args.log ? new RequestLog(args.log, Number(args['log-max-bytes'] ?? LOG_MAX_BYTES), (e) => process.stderr.write(`request log: ${e.message}\n`)) : undefined;
let inFlight = 0;
let draining = false;

/** A stacked batch's numeric inputs are typed arrays already: they become tensors without a copy. */
const tensorFor = (f: Feed) => (ArrayBuffer.isView(f.data) ? new ort.Tensor(f.type as 'float32', f.data as Float32Array, f.dims) : tensorOf(f as FeedSpec));

async function runFeeds(feeds: Feed[]): Promise<Record<string, OutTensor>> {
  const results = await session!.run(Object.fromEntries(feeds.map((f) => [f.name, tensorFor(f)])), signature!.outputs);
  return results as unknown as Record<string, OutTensor>;
}

function send(res: ServerResponse, status: number, body: string, close = false): void {
  // A flat header list: Node takes it without building and walking an object per response.
  const headers = ['Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body))];
  if (close || draining) headers.push('Connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}

const value = (t: OutTensor, i: number) => (t.type === 'bool' ? Boolean(t.data[i]) : plain(t.data[i], t.type === 'float32'));

function values(t: OutTensor, from: number, to: number): (number | string | boolean)[] {
  const out: (number | string | boolean)[] = [];
  for (let i = from; i < to; i++) out.push(value(t, i));
  return out;
}

/** Rows in: one prediction per row (the first output's row, a scalar when it holds one value). Tensors in: every output. */
function responseBody(parsed: ParsedRequest, outputs: Record<string, OutTensor>): string {
  if (parsed.kind === 'tensors') {
    const all: Record<string, { dims: number[]; data: unknown[] }> = {};
    for (const [name, t] of Object.entries(outputs)) all[name] = { dims: [...t.dims], data: values(t, 0, t.data.length) };
    return JSON.stringify({ outputs: all });
  }
  const first = outputs[signature!.outputs[0]!]!;
  const per = parsed.rows ? first.data.length / parsed.rows : 0;
  const predictions = [];
  for (let r = 0; r < parsed.rows; r++) predictions.push(per === 1 ? value(first, r) : values(first, r * per, (r + 1) * per));
  return JSON.stringify({ predictions });
}

function firstScalar(outputs: Record<string, OutTensor> | undefined): number | null {
  const first = outputs?.[signature!.outputs[0]!];
  const v = first && first.data.length ? first.data[0] : undefined;
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
}

/**
 * The body, up to MAX_BODY_BYTES. A larger one is read to its end and dropped before the 413 goes out, so the
 * client is not cut off mid-send (it would see EPIPE, not the answer); past DISCARD_LIMIT the socket is cut.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = () => {
      req.removeAllListeners('data');
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > DISCARD_LIMIT) req.socket.destroy();
      });
      req.removeAllListeners('end');
      req.once('end', () => reject(new RequestError(413, tooLarge(size))));
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) refuse();
      else chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) refuse();
  });
}

const tooLarge = (bytes: number) => `the body is ${bytes} bytes; the limit is 6 MB, ${MAX_BODY_BYTES} bytes (SageMaker's real-time payload limit): send fewer rows per request`;

async function invocations(req: IncomingMessage, res: ServerResponse, start: number): Promise<void> {
  let parsed: ParsedRequest | undefined;
  let status = 200;
  let error: string | undefined;
  let outputs: Record<string, OutTensor> | undefined;
  let batch = 0;
  try {
    const body = await readBody(req);
    if (!session) throw new RequestError(503, 'the model is still loading; GET /ping answers 200 once it is ready');
    parsed = parseRequest(signature!, req.headers['content-type'], body);
    const result = await batcher!.submit(parsed.rows, parsed.feeds);
    outputs = result.outputs;
    batch = result.batch;
    send(res, 200, responseBody(parsed, outputs));
  } catch (err) {
    status = err instanceof RequestError ? err.status : 500;
    error = err instanceof RequestError ? err.message : `inference failed: ${((err as Error)?.message ?? String(err)).trim()}`;
    send(res, status, JSON.stringify({ error }), status === 413);
  }
  log?.add({
    t: Date.now(), ms: Number((performance.now() - start).toFixed(3)), status, rows: parsed?.rows ?? 0, batch,
    inputs: parsed?.firstRow ?? {}, prediction: firstScalar(outputs), ...(error && { error }),
  });
}

const server = createServer((req, res) => {
  const start = performance.now();
  inFlight++;
  res.on('close', () => {
    inFlight--;
    if (draining && inFlight === 0) finish();
  });
  const path = req.url?.split('?')[0];
  if (path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
    req.resume();
    // Requests being served besides this one: what a stop would wait for.
    return send(res, session ? 200 : 503, JSON.stringify({ status: session ? 'ok' : 'loading', inFlight: inFlight - 1 }));
  }
  if (path === '/invocations') {
    if (req.method === 'POST') return void invocations(req, res, start);
    req.resume();
    return send(res, 405, JSON.stringify({ error: `${req.method} /invocations: use POST` }));
  }
  req.resume();
  send(res, 404, JSON.stringify({ error: `no route ${req.method} ${path}; the endpoint serves GET /ping and POST /invocations` }));
});
server.keepAliveTimeout = 65_000;

function finish(): void {
  log?.flushSync();
  process.exit(0);
}

function stop(): void {
  if (draining) return;
  draining = true;
  server.close();
  server.closeIdleConnections();
  if (inFlight === 0) return finish();
  setTimeout(finish, DRAIN_LIMIT_MS).unref();
}

async function main(): Promise<void> {
  if (!args.model) fail('--model FILE is required');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${args.port} is not a port number (0–65535)`);
  await new Promise<void>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for any free one` : `cannot listen on 127.0.0.1:${port}: ${err.message}`);
    });
    server.listen(port, '127.0.0.1', resolve);
  });
  const inspection = await inspectOnnx(args.model!);
  const bad = inspection.problems.find((p) => p.severity === 'error');
  if (bad) fail(`the model ${args.model} cannot be served: ${bad.message}`);
  try {
    // One intra-op thread: the event loop waits on every run anyway, and for batches of 32 rows or more the
    // default pool splits the MatMul across a second thread that then spin-waits, doubling the CPU per run and
    // taking the core the clients (and the rest of the machine) need.
    session = await ort.InferenceSession.create(args.model!, { intraOpNumThreads: 1 });
  } catch (err) {
    fail(`ONNX Runtime cannot load the model: ${((err as Error)?.message ?? String(err)).trim()}`);
  }
  signature = signatureOf(inspection);
  if (signature.outputs.length === 0) fail('the model has no tensor output to serve (onnxruntime-node returns tensors only)');
  const enabled = !args['no-batching'] && signature.batchable;
  batcher = new Batcher(runFeeds, { enabled, maxBatch: Math.max(1, Number(args['max-batch'])), windowMs: Math.max(0, Number(args['batch-window-ms'])) });
  announce({ ready: true, port: (server.address() as AddressInfo).port, pid: process.pid, batching: enabled, features: signature.features });
}

void main().catch((err) => fail(String((err as Error)?.message ?? err)));
