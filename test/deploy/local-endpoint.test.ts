// The local endpoint for real: the served process (through tsx) with ONNX Runtime, over HTTP on 127.0.0.1.
// The model is the flight example's kind (its ONNX writer, a fitted feature encoder in the metadata): JSON
// rows, {"instances"}, CSV and tensors give what ONNX Runtime gives in this process on the encoded rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { startLocalEndpoint, stopLocalEndpoint, type Started } from '../../core/deploy/local-deploy';
import { listDeployments, requestLogPath, writeDeployment } from '../../core/deploy/records';
import type { DeploymentRecord, RequestLogLine } from '../../core/deploy/types';
import { encode, featureNames, normalization, type Encoder } from '../../examples/flight-delays/steps/lib/features.mjs';
import { encodeClassifier } from '../../examples/flight-delays/steps/lib/onnx-model.mjs';
import { waitFor } from '../cli/harness';
import { embeddingModel, tempDir, writeModel } from '../model/models';

const encoder: Encoder = {
  version: 1,
  columns: [
    { column: 'distance', kind: 'numeric', mean: 500, scale: 200 },
    { column: 'origin', kind: 'onehot', values: ['ATL', 'ORD'] },
    { column: 'hour', kind: 'onehot', values: ['7', '18'] },
  ],
};

function flightLikeModel(): Uint8Array {
  const width = featureNames(encoder).length; // 1 + 3 + 3
  const { mean, scale } = normalization(encoder);
  const weights = Array.from({ length: width * 2 }, (_, i) => ((i * 7) % 5) / 5 - 0.4);
  return encodeClassifier({
    mean, scale,
    layers: [
      { inputs: width, outputs: 2, weights, bias: [0.1, -0.2] },
      { inputs: 2, outputs: 1, weights: [1.5, -0.7], bias: [0.05] },
    ],
    metadata: { feature_encoder: JSON.stringify(encoder), feature_names: JSON.stringify(featureNames(encoder)) },
  });
}

const rows = [
  { distance: 950, origin: 'ATL', hour: 7 },
  { distance: 120, origin: 'SFO', hour: 18 },
  { distance: null, origin: 'ORD', hour: 3 },
];

interface Reply { status: number; body: any; headers: Record<string, unknown> }

function send(url: string, body: string | Buffer, contentType = 'application/json', agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/invocations`, { method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers }));
    }).on('error', reject).end();
  });
}

async function inProcess(model: string, given: Record<string, unknown>[] = rows): Promise<number[]> {
  const table = { rows: given.length, columns: Object.fromEntries(encoder.columns.map((c) => [c.column, given.map((r) => r[c.column])])) };
  const m = encode(encoder, table);
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ features: new ort.Tensor('float32', m.data, [m.rows, m.width]) });
  await session.release();
  return [...(out.probability!.data as Float32Array)];
}

function readLog(stateDir: string, name: string): RequestLogLine[] {
  return readFileSync(requestLogPath(stateDir, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

function record(name: string, s: Started): DeploymentRecord {
  return { name, target: 'local', status: 'running', flow: 'f.flow.yaml', model: 'm.onnx', modelSha256: 'x', runId: 'r', createdAt: '', updatedAt: '', url: s.url, pid: s.pid, port: s.port, writer: s.writer };
}

test('the local endpoint serves JSON, CSV and tensors as in-process inference does, and refuses bad requests precisely', async (t) => {
  const dir = tempDir(t);
  const modelFile = writeModel(dir, 'model.onnx', flightLikeModel());
  const started = await startLocalEndpoint({ stateDir: dir, name: 'flights', modelFile, port: 0 });
  t.after(() => stopLocalEndpoint(record('flights', started)));
  const { url } = started;
  assert.equal((await get(`${url}/ping`)).status, 200);
  const expected = await inProcess(modelFile);

  const asRows = await send(url, JSON.stringify(rows));
  assert.equal(asRows.status, 200, JSON.stringify(asRows.body));
  assert.equal(asRows.body.predictions.length, 3);
  asRows.body.predictions.forEach((p: number, i: number) => assert.ok(close(p, expected[i]!), `row ${i}: ${p} vs ${expected[i]}`));
  assert.deepEqual((await send(url, JSON.stringify({ instances: rows }))).body, asRows.body);

  const csv = 'distance,origin,hour\n950,ATL,7\n120,SFO,18\n,ORD,3\n';
  assert.deepEqual((await send(url, csv, 'text/csv')).body, asRows.body);
  assert.deepEqual((await send(url, '950,ATL,7\r\n120,"SFO",18\r\n,ORD,3', 'text/csv; charset=utf-8')).body, asRows.body, 'no header: signature order');
  assert.deepEqual((await send(url, 'origin,distance,hour\nATL,950,7\n', 'text/csv')).body.predictions, [asRows.body.predictions[0]], 'a header in another order');

  const encoded = encode(encoder, { rows: 3, columns: { distance: [950, 120, null], origin: ['ATL', 'SFO', 'ORD'], hour: [7, 18, 3] } });
  const matrix = Array.from({ length: 3 }, (_, r) => [...encoded.data.subarray(r * encoded.width, (r + 1) * encoded.width)]);
  const tensors = await send(url, JSON.stringify({ inputs: { features: matrix } }));
  assert.equal(tensors.status, 200, JSON.stringify(tensors.body));
  assert.deepEqual(tensors.body.outputs.probability.dims, [3, 1]);
  tensors.body.outputs.probability.data.forEach((p: number, i: number) => assert.ok(close(p, expected[i]!)));

  const refusals: [string | Buffer, string, number, RegExp][] = [
    ['{"distance": 1,', 'application/json', 400, /not valid JSON/],
    [JSON.stringify([{ distance: 1, origin: 'ATL', hour: 7, speed: 3 }]), 'application/json', 400, /unknown feature 'speed'; the model's features are distance, origin, hour/],
    [JSON.stringify([{ distance: 1, origin: 'ATL' }]), 'application/json', 400, /row 0 is missing feature 'hour'/],
    [JSON.stringify([rows[0], { distance: 'far', origin: 'ATL', hour: 7 }]), 'application/json', 400, /row 1 feature 'distance' is "far", expected a number/],
    [JSON.stringify({ inputs: { features: [[1, 2, 3]] } }), 'application/json', 400, /input 'features' dim 1 is 3, the model fixes it at 7/],
    [JSON.stringify({ inputs: { features: [['a', 0, 0, 0, 0, 0, 0]] } }), 'application/json', 400, /input 'features' value #1 is "a", expected a number/],
    [JSON.stringify({ inputs: { features: { dims: [1, 7], data: [0, 0, 0, 0, 0, 0, 0], type: 'int64' } } }), 'application/json', 400, /given as int64, the model expects float32/],
    [JSON.stringify({ inputs: { wrong: [[1]] } }), 'application/json', 400, /missing input 'features' \(float32 \[N, 7\]\)/],
    ['distance,origin\n1,ATL\n', 'text/csv', 400, /CSV record 1 has 2 fields, expected 3/],
    ['x', 'text/plain', 415, /Content-Type 'text\/plain' is not served/],
    [Buffer.alloc(6 * 1024 * 1024 + 10, 0x20), 'application/json', 413, /limit is 6 MB/],
  ];
  for (const [body, type, status, message] of refusals) {
    const reply = await send(url, body, type);
    assert.equal(reply.status, status, `${type} ${String(body).slice(0, 60)}: ${JSON.stringify(reply.body)}`);
    assert.match(reply.body.error, message);
  }
  // Still up and right after all of that.
  assert.deepEqual((await send(url, JSON.stringify(rows))).body, asRows.body);

  // 200 connections at once, every fifth request a bad one: each gets its own answer; requests are batched.
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  t.after(() => agent.destroy());
  const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => send(url, i % 5 === 4 ? '[{"distance": "x"}]' : JSON.stringify([rows[i % 3]]), 'application/json', agent)));
  replies.forEach((r, i) => {
    if (i % 5 === 4) return assert.equal(r.status, 400);
    assert.equal(r.status, 200);
    assert.ok(close(r.body.predictions[0], expected[i % 3]!), `request ${i}`);
  });
  assert.equal((await get(`${url}/ping`)).status, 200);

  assert.equal(await stopLocalEndpoint(record('flights', started)), 'stopped');
  const log = readLog(dir, 'flights');
  const ok = log.filter((l) => l.status === 200);
  assert.ok(ok.some((l) => l.batch > 1), `some requests ran in a batch with others (largest batch ${Math.max(...log.map((l) => l.batch))})`);
  assert.deepEqual(log[0]!.inputs, { distance: 950, origin: 'ATL', hour: 7 });
  assert.ok(close(log[0]!.prediction!, expected[0]!));
  assert.equal(log.filter((l) => l.status === 413).length, 1);
  assert.match(log.find((l) => l.status === 415)!.error!, /text\/plain/);
});

test('concurrent requests are batched up to --max-batch, and each gets the prediction for its own row', async (t) => {
  const dir = tempDir(t);
  const modelFile = writeModel(dir, 'model.onnx', flightLikeModel());
  // The window makes company certain however slowly a loaded machine delivers the requests; a full batch
  // runs without it, and so does what queues behind a busy run.
  const started = await startLocalEndpoint({ stateDir: dir, name: 'capped', modelFile, port: 0, maxBatch: 8, batchWindowMs: 2000 });
  t.after(() => stopLocalEndpoint(record('capped', started)));
  const distinct = Array.from({ length: 100 }, (_, i) => ({ distance: 100 + i * 17, origin: i % 2 ? 'ATL' : 'ORD', hour: i % 3 ? 7 : 18 }));
  const expected = await inProcess(modelFile, distinct);
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });
  t.after(() => agent.destroy());
  const replies = await Promise.all(distinct.map((row) => send(started.url, JSON.stringify([row]), 'application/json', agent)));
  replies.forEach((r, i) => {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(close(r.body.predictions[0], expected[i]!), `request ${i}: ${r.body.predictions[0]} vs ${expected[i]}`);
  });
  assert.equal(await stopLocalEndpoint(record('capped', started)), 'stopped');
  // One-row requests: a run of k rows logs k lines that each say batch k, so every size's count is a multiple of it.
  const sizes = new Map<number, number>();
  for (const line of readLog(dir, 'capped')) sizes.set(line.batch, (sizes.get(line.batch) ?? 0) + 1);
  assert.equal([...sizes.values()].reduce((a, b) => a + b, 0), 100);
  for (const [size, count] of sizes) {
    assert.ok(size >= 1 && size <= 8, `a batch of ${size} rows (the cap is 8)`);
    assert.equal(count % size, 0, `${count} requests say they ran in a batch of ${size}`);
  }
  assert.ok(Math.max(...sizes.keys()) > 1, 'some requests shared a run');
});

test('SIGTERM lets in-flight requests finish, then the process exits; a killed endpoint reads as stopped', async (t) => {
  const dir = tempDir(t);
  const modelFile = writeModel(dir, 'model.onnx', flightLikeModel());
  // A long batching window holds requests inside the server, so they are in flight when the signal lands.
  const started = await startLocalEndpoint({ stateDir: dir, name: 'drain', modelFile, port: 0, batchWindowMs: 1500 });
  const agent = new Agent({ maxSockets: 8 });
  t.after(() => agent.destroy());
  const pending = Array.from({ length: 8 }, () => send(started.url, JSON.stringify([rows[0]]), 'application/json', agent));
  await waitForInFlight(started.url, 8);
  process.kill(started.pid, 'SIGTERM');
  const replies = await Promise.all(pending);
  assert.deepEqual(replies.map((r) => r.status), Array(8).fill(200));
  assert.equal(replies[0]!.headers.connection, 'close');
  await waitFor('the endpoint to exit', () => !alive(started.pid));
  await assert.rejects(get(`${started.url}/ping`), /ECONNREFUSED/);
  assert.equal(readLog(dir, 'drain').length, 8, 'the log was flushed before exit');

  const second = await startLocalEndpoint({ stateDir: dir, name: 'killed', modelFile, port: 0 });
  writeDeployment(dir, record('killed', second));
  assert.equal((await listDeployments(dir)).find((r) => r.name === 'killed')!.status, 'running');
  process.kill(second.pid, 'SIGKILL');
  await waitFor('the endpoint to die', () => !alive(second.pid));
  assert.equal((await listDeployments(dir)).find((r) => r.name === 'killed')!.status, 'stopped');
});

test('a port in use and a model ONNX Runtime refuses are clear start errors', async (t) => {
  const dir = tempDir(t);
  const modelFile = writeModel(dir, 'model.onnx', flightLikeModel());
  const first = await startLocalEndpoint({ stateDir: dir, name: 'one', modelFile, port: 0 });
  t.after(() => stopLocalEndpoint(record('one', first)));
  await assert.rejects(startLocalEndpoint({ stateDir: dir, name: 'two', modelFile, port: first.port }), new RegExp(`port ${first.port} on 127.0.0.1 is already in use`));
  const broken = join(dir, 'broken.onnx');
  writeFileSync(broken, 'not a model');
  await assert.rejects(startLocalEndpoint({ stateDir: dir, name: 'three', modelFile: broken, port: 0 }), /cannot be served|cannot load/);
});

test('a model with several inputs takes rows by input name and named tensors, int64 included', async (t) => {
  const dir = tempDir(t);
  const modelFile = writeModel(dir, 'embed.onnx', embeddingModel());
  const started = await startLocalEndpoint({ stateDir: dir, name: 'embed', modelFile, port: 0 });
  t.after(() => stopLocalEndpoint(record('embed', started)));
  const tensors = { ids: [[1, 2], [3, 4]], weights: [[1, 0.5], [2, 1]], scale: [1, 2, 3] };
  const session = await ort.InferenceSession.create(modelFile);
  const direct = await session.run({
    ids: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n]), [2, 2]),
    weights: new ort.Tensor('float32', Float32Array.from([1, 0.5, 2, 1]), [2, 2]),
    scale: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]),
  }, ['scaled']);
  const reply = await send(started.url, JSON.stringify({ inputs: tensors }));
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.deepEqual(reply.body.outputs.scaled.dims, [2, 3]);
  reply.body.outputs.scaled.data.forEach((v: number, i: number) => assert.ok(close(v, (direct.scaled!.data as Float32Array)[i]!)));
  assert.deepEqual(reply.body.outputs.ids_shape.data, [2, 2]);
  const fractional = await send(started.url, JSON.stringify({ inputs: { ...tensors, ids: [[1.5, 2], [3, 4]] } }));
  assert.equal(fractional.status, 400);
  assert.match(fractional.body.error, /input 'ids' value #1 is 1.5, expected a whole number \(int64\)/);
  // A row of `ids` has a free `seq` dim: only a tensor says how long it is.
  const asRows = await send(started.url, JSON.stringify([{ ids: [1, 2], weights: [1, 1], scale: [1, 1, 1] }]));
  assert.equal(asRows.status, 400);
  assert.match(asRows.body.error, /input 'ids' has free dims after the batch .*send it as a tensor/);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
}

async function waitForInFlight(url: string, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await get(`${url}/ping`)).body.inFlight >= n) return;
  }
  throw new Error(`never saw ${n} requests in flight`);
}
