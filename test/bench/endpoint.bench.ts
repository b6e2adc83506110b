// The local endpoint under load (autocannon, one JSON row by feature name per request) at 1, 16 and 64
// connections: our endpoint with dynamic batching and without, next to the floor of any Node endpoint (a bare
// http.createServer parsing the same row, encoding it and calling session.run: endpoint-floor.ts) and
// in-process session.run on one row. The model is the flight example's when `npm run example` has made it,
// else one of the same shape (its encoder's 11 features, 133 inputs, 16 hidden units) written here.
// Targets: ≥ 90% of the floor's throughput at 1 connection; p99 ≤ 5 ms at 16; at 64, batching ≥ 1.5× none.
// Every server gets the same autocannon settings, a warm-up at each connection count (new sockets, and code
// paths a batch size reaches first, are not measured) and alternating rounds. Besides req/s each row prints
// CPU time per request of the server (every thread: ONNX Runtime's own included) and of autocannon (this
// process): on a shared machine wall-clock throughput follows the CPU share a process gets, CPU per request
// does not, so those say where the time goes and what the ratios would be on a quiet machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { startLocalEndpoint, stopLocalEndpoint } from '../../core/deploy/local-deploy';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import { encode, featureNames, normalization, type Encoder } from '../../examples/flight-delays/steps/lib/features.mjs';
import { encodeClassifier } from '../../examples/flight-delays/steps/lib/onnx-model.mjs';
import { atMost, median, QUICK, runBench, size, verdict } from './harness';

const EXAMPLE_MODEL = join(__dirname, '../../examples/flight-delays/models/model.onnx');
/** What ships (npm run bench builds first); from sources through tsx otherwise. */
const BUNDLED = join(__dirname, '../../dist/endpoint-server.js');
const CONNECTIONS = [1, 16, 64];
const SECONDS = size(2, 0.5);
const WARM_SECONDS = size(0.5, 0.2);
const ROUNDS = size(3, 1);

interface Figures { rps: number; p50: number; p99: number; errors: number; serverUs?: number; clientUs: number }

/** CPU ms a process has used, all its threads (Linux: /proc, in USER_HZ ticks of 10 ms); undefined elsewhere. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

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

async function load(server: { url: string; pid: number }, connections: number, body: string, seconds = SECONDS): Promise<Figures> {
  const cpu0 = cpuMs(server.pid);
  const client0 = process.cpuUsage();
  const result = await autocannon({
    url: `${server.url}/invocations`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    connections, duration: seconds,
  });
  const client = process.cpuUsage(client0);
  const cpu1 = cpuMs(server.pid);
  const n = Math.max(1, result.requests.total);
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx,
    serverUs: cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / n, clientUs: (client.user + client.system) / n,
  };
}

/** The median round by req/s; CPU per request is each round's median on its own. */
function medianRound(rounds: Figures[]): Figures {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  const server = rounds.map((r) => r.serverUs).filter((v): v is number => v !== undefined);
  return {
    ...sorted[Math.floor(sorted.length / 2)]!, errors: rounds.reduce((n, r) => n + r.errors, 0),
    serverUs: server.length ? median(server) : undefined, clientUs: median(rounds.map((r) => r.clientUs)),
  };
}

async function startFloor(model: string): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'endpoint-floor.ts'), model], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
  return { url: `http://127.0.0.1:${port.trim()}`, pid: child.pid!, child };
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

const us = (v: number | undefined) => (v === undefined ? '   –' : v.toFixed(0).padStart(4));
const fmt = (f: Figures) => `${f.rps.toFixed(0).padStart(6)} req/s  p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(4)} ms  CPU/request: server ${us(f.serverUs)} µs, autocannon ${us(f.clientUs)} µs${f.errors ? `  (${f.errors} errors!)` : ''}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-endpoint-bench-'));
  try {
    const model = existsSync(EXAMPLE_MODEL) ? EXAMPLE_MODEL : join(dir, 'model.onnx');
    if (model !== EXAMPLE_MODEL) syntheticModel(model);
    const encoder = JSON.parse((await inspectOnnx(model)).metadata.feature_encoder!);
    const row = Object.fromEntries(encoder.columns.map((c: { column: string; kind: string; mean?: number; values?: string[] }) => [c.column, c.kind === 'numeric' ? c.mean : c.values![0]]));
    const body = JSON.stringify([row]);
    const encoded = encode(encoder, { rows: 1, columns: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, [v]])) });
    console.log(`model: ${model === EXAMPLE_MODEL ? 'the flight example\'s' : 'synthetic, the example\'s shape'} (${encoded.width} inputs); ${ROUNDS} alternating rounds of ${SECONDS} s per server and connection count after a ${WARM_SECONDS} s warm-up at that count; autocannon in this process, same settings for every server; one row per request; endpoint ${existsSync(BUNDLED) ? 'dist/endpoint-server.js' : 'from sources (tsx)'}`);

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
        const servers = [['floor', floor], ['batched', batched], ['unbatched', unbatched]] as const;
        for (const [, server] of servers) await load(server, c, body, WARM_SECONDS);
        for (let round = 0; round < ROUNDS; round++) {
          for (const [key, server] of round % 2 ? [...servers].reverse() : servers) rounds[key]!.push(await load(server, c, body));
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
    const [cpuNone, cpuBatched] = [results.unbatched![64]!.serverUs, results.batched![64]!.serverUs];
    if (cpuNone !== undefined && cpuBatched) console.log(`64 connections: server CPU per request without batching ÷ with it: ${(cpuNone / cpuBatched).toFixed(2)}× (the gain a server given a whole core would see)`);
    const [one, five] = loadavg();
    console.log(`load average at the end ${one!.toFixed(1)} (5 min ${five!.toFixed(1)})`);
    if (QUICK) console.log('(quick mode: 0.5 s per measurement)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function recordOf(s: { pid: number; port: number; url: string; writer: import('../../core/runs/types').WriterIdentity }) {
  return { name: 'bench', target: 'local' as const, status: 'running' as const, flow: '', model: '', modelSha256: '', runId: '', createdAt: '', updatedAt: '', ...s };
}

runBench(main);
