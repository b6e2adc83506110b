// The local endpoint under load (autocannon, one JSON row by feature name per request) at 1, 16 and 64
// connections: our endpoint with dynamic batching and without, next to the floor of any Node endpoint (a bare
// http.createServer parsing the same row, encoding it and calling session.run: endpoint-floor.ts) and
// in-process session.run on one row. The model is the flight example's when `npm run example` has made it,
// else one of the same shape (its encoder's 11 features, 133 inputs, 16 hidden units) written here.
// Targets: ≥ 90% of the floor's throughput at 1 connection; p99 ≤ 5 ms at 16; at 64, batching ≥ 1.5× none.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { startLocalEndpoint, stopLocalEndpoint } from '../../core/deploy/local-deploy';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import { encode, featureNames, normalization, type Encoder } from '../../examples/flight-delays/steps/lib/features.mjs';
import { encodeClassifier } from '../../examples/flight-delays/steps/lib/onnx-model.mjs';
import { atMost, QUICK, runBench, size, verdict } from './harness';

const EXAMPLE_MODEL = join(__dirname, '../../examples/flight-delays/models/model.onnx');
/** What ships (npm run bench builds first); from sources through tsx otherwise. */
const BUNDLED = join(__dirname, '../../dist/endpoint-server.js');
const CONNECTIONS = [1, 16, 64];
const SECONDS = size(2, 0.5);
const ROUNDS = size(3, 1);

interface Figures { rps: number; p50: number; p99: number; errors: number }

/** The example's encoder shape: 6 one-hot columns (24 + 7 + 12 + 6 + 41 + 41 slots... here 133 in all) and 5 numerics. */
function syntheticModel(file: string): void {
  const onehot = (column: string, n: number) => ({ column, kind: 'onehot' as const, values: Array.from({ length: n }, (_, i) => String(i)) });
  const encoder: Encoder = {
    version: 1,
    columns: [onehot('hour_of_day', 23), onehot('day_of_week', 6), onehot('month', 11), onehot('distance_band', 5), onehot('origin', 40), onehot('destination', 40),
      ...['log_distance', 'log_origin_hour_departures', 'origin_delay_rate', 'dest_delay_rate', 'eastward_degrees'].map((column) => ({ column, kind: 'numeric' as const, mean: 1, scale: 2 }))],
  };
  const width = featureNames(encoder).length;
  const { mean, scale } = normalization(encoder);
  const w = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i) / 4);
  writeFileSync(file, encodeClassifier({
    mean, scale,
    layers: [{ inputs: width, outputs: 16, weights: w(width * 16), bias: w(16) }, { inputs: 16, outputs: 1, weights: w(16), bias: [0] }],
    metadata: { feature_encoder: JSON.stringify(encoder) },
  }));
}

async function load(url: string, connections: number, body: string): Promise<Figures> {
  const result = await autocannon({
    url: `${url}/invocations`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    connections, duration: SECONDS,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

function medianRound(rounds: Figures[]): Figures {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor(sorted.length / 2)]!, errors: rounds.reduce((n, r) => n + r.errors, 0) };
}

async function startFloor(model: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'endpoint-floor.ts'), model], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
  return { url: `http://127.0.0.1:${port.trim()}`, child };
}

async function inProcess(model: string, encoded: { data: Float32Array; rows: number; width: number }): Promise<{ perCallUs: number; rps: number }> {
  const session = await ort.InferenceSession.create(model);
  const feeds = { features: new ort.Tensor('float32', encoded.data, [encoded.rows, encoded.width]) };
  for (let i = 0; i < 200; i++) await session.run(feeds);
  const n = size(20_000, 2_000);
  const start = performance.now();
  for (let i = 0; i < n; i++) await session.run(feeds);
  const ms = performance.now() - start;
  await session.release();
  return { perCallUs: (ms * 1000) / n, rps: (n / ms) * 1000 };
}

const fmt = (f: Figures) => `${f.rps.toFixed(0).padStart(6)} req/s  p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(4)} ms${f.errors ? `  (${f.errors} errors!)` : ''}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-endpoint-bench-'));
  try {
    const model = existsSync(EXAMPLE_MODEL) ? EXAMPLE_MODEL : join(dir, 'model.onnx');
    if (model !== EXAMPLE_MODEL) syntheticModel(model);
    const encoder = JSON.parse((await inspectOnnx(model)).metadata.feature_encoder!);
    const row = Object.fromEntries(encoder.columns.map((c: { column: string; kind: string; mean?: number; values?: string[] }) => [c.column, c.kind === 'numeric' ? c.mean : c.values![0]]));
    const body = JSON.stringify([row]);
    const encoded = encode(encoder, { rows: 1, columns: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, [v]])) });
    console.log(`model: ${model === EXAMPLE_MODEL ? 'the flight example\'s' : 'synthetic, the example\'s shape'} (${encoded.width} inputs); ${ROUNDS} rounds of ${SECONDS} s per server and connection count; one row per request; endpoint ${existsSync(BUNDLED) ? 'dist/endpoint-server.js' : 'from sources (tsx)'}`);

    const direct = await inProcess(model, encoded);
    console.log(`in-process session.run, one row: ${direct.perCallUs.toFixed(1)} µs per call (${direct.rps.toFixed(0)} runs/s)`);

    const floor = await startFloor(model);
    const entry = existsSync(BUNDLED) ? BUNDLED : undefined;
    const batched = await startLocalEndpoint({ stateDir: dir, name: 'batched', modelFile: model, port: 0, entry });
    const unbatched = await startLocalEndpoint({ stateDir: dir, name: 'unbatched', modelFile: model, port: 0, batching: false, entry });
    const results: Record<string, Record<number, Figures>> = { floor: {}, batched: {}, unbatched: {} };
    try {
      for (const c of CONNECTIONS) {
        // Rounds alternate the servers, so a burst of load from elsewhere on the machine hits all three alike;
        // each server's median round is kept.
        const rounds: Record<string, Figures[]> = { floor: [], batched: [], unbatched: [] };
        for (let round = 0; round < ROUNDS; round++) {
          for (const [key, url] of [['floor', floor.url], ['batched', batched.url], ['unbatched', unbatched.url]] as const) {
            if (c === 1 && round === 0) await load(url, 4, body); // warm connections and JIT
            rounds[key]!.push(await load(url, c, body));
          }
        }
        for (const key of Object.keys(rounds)) results[key]![c] = medianRound(rounds[key]!);
        console.log(`\n${c} connection${c > 1 ? 's' : ''} (median of ${ROUNDS} rounds):`);
        console.log(`  bare http.createServer + session.run  ${fmt(results.floor![c]!)}`);
        console.log(`  endpoint, dynamic batching           ${fmt(results.batched![c]!)}`);
        console.log(`  endpoint, no batching                ${fmt(results.unbatched![c]!)}`);
      }
    } finally {
      floor.child.kill('SIGTERM');
      await stopLocalEndpoint({ ...recordOf(batched) });
      await stopLocalEndpoint({ ...recordOf(unbatched) });
    }
    const errors = Object.values(results).flatMap((r) => Object.values(r)).reduce((n, f) => n + f.errors, 0);
    if (errors) throw new Error(`${errors} requests failed during the measurements`);

    const oneRatio = results.batched![1]!.rps / results.floor![1]!.rps;
    console.log(`\n1 connection: endpoint ${(oneRatio * 100).toFixed(0)}% of the bare server's throughput (target ≥ 90%): ${verdict(oneRatio >= 0.9)}`);
    console.log(`16 connections: endpoint p99 ${results.batched![16]!.p99} ms (target ≤ 5 ms): ${atMost(results.batched![16]!.p99, 5)}`);
    const gain = results.batched![64]!.rps / results.unbatched![64]!.rps;
    console.log(`64 connections: dynamic batching ${gain.toFixed(2)}× the throughput without it (target ≥ 1.5×): ${verdict(gain >= 1.5)}`);
    console.log(`64 connections: endpoint ${((results.batched![64]!.rps / results.floor![64]!.rps) * 100).toFixed(0)}% of the bare server's throughput`);
    if (QUICK) console.log('(quick mode: 0.5 s per measurement)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function recordOf(s: { pid: number; port: number; url: string; writer: import('../../core/runs/types').WriterIdentity }) {
  return { name: 'bench', target: 'local' as const, status: 'running' as const, flow: '', model: '', modelSha256: '', runId: '', createdAt: '', updatedAt: '', ...s };
}

runBench(main);
