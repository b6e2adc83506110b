// Generated runs for benchmarks: what runs/index.jsonl holds for a sweep and an evaluation flow,
// deterministic (seeded), with the awkward values real stores have: a text param, failed and running runs,
// NaN metrics (stored as null, as JSON does).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openRunStore } from '../../core/runs/store';
import { RunTable } from '../../core/runs/table';
import type { RunSummary } from '../../core/runs/types';
import { seeded } from '../lsp/mutate';

const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad'];

/** Runs of flows `sweep` and (every fifth) `evaluate`, a minute apart, with `params` params and `metrics` metrics each. */
function* summariesOf(count: number, shape: { params: number; metrics: number }, seed: number): Generator<RunSummary> {
  const next = seeded(seed);
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const start = base + i * 60_000;
    const d = new Date(start);
    const id = `${d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${(i & 0xffff).toString(16).padStart(4, '0')}`;
    const params: Record<string, unknown> = { learning_rate: 10 ** -(1 + Math.floor(next() * 4)), optimizer: OPTIMIZERS[i % OPTIMIZERS.length] };
    for (let p = 2; p < shape.params; p++) params[`param_${String(p).padStart(3, '0')}`] = Math.round(next() * 1000) / 1000;
    const metrics: Record<string, number> = {};
    for (let m = 0; m < shape.metrics; m++) metrics[m === 0 ? 'auc' : `metric_${String(m).padStart(3, '0')}`] = i % 997 === 13 && m === 0 ? NaN : next();
    const status = i === count - 1 ? 'running' : i % 10 === 9 ? 'failed' : 'succeeded';
    yield {
      id, flow: i % 5 === 0 ? 'evaluate' : 'sweep', flowFile: `/bench/${i % 5 === 0 ? 'evaluate' : 'sweep'}.flow.yaml`, status, start,
      ...(status === 'running' ? {} : { end: start + 30_000, durationMs: 1000 + Math.floor(next() * 60_000) }),
      params, overrides: i % 3 === 0 ? { learning_rate: params.learning_rate } : {}, metrics,
      counts: { ran: 4, cached: 0, restored: 0, failed: status === 'failed' ? 1 : 0, skipped: 0, cancelled: 0 },
      code: { commit: 'abc123def456', dirty: i % 50 === 0 },
    };
  }
}

/** `count` summaries in memory, each through JSON as the store's index reader hands them over. */
export function generateSummaries(count: number, shape: { params: number; metrics: number }, seed = 1): RunSummary[] {
  return Array.from(summariesOf(count, shape, seed), (s) => JSON.parse(JSON.stringify(s)) as RunSummary);
}

/**
 * The same runs as a run store on disk under `stateDir` (a .flowbench folder), as the panel reads it: the
 * summary index and a directory per run. No record.json per run: listing never opens one for a run the
 * index has (only the compare view and the row actions do), and 100,000 of them would add minutes and
 * hundreds of MB to every benchmark run. Answers the index's size in bytes.
 */
export function writeRunStore(stateDir: string, count: number, shape: { params: number; metrics: number }, seed = 1): number {
  const runsDir = join(stateDir, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const fd = openSync(join(runsDir, 'index.jsonl'), 'w');
  let bytes = 0;
  try {
    let chunk = '';
    for (const s of summariesOf(count, shape, seed)) {
      mkdirSync(join(runsDir, s.id));
      chunk += JSON.stringify(s) + '\n';
      if (chunk.length > 1 << 20) {
        bytes += writeSync(fd, chunk);
        chunk = '';
      }
    }
    bytes += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/**
 * Reads the store as the panel does (a summary reader into a table), which writes its table cache
 * (runs/index.table): the store as a panel that opened it before leaves it. Answers the time taken.
 */
export async function openedBefore(stateDir: string): Promise<number> {
  const t0 = performance.now();
  const table = RunTable.fromSummaries([]);
  await openRunStore(stateDir).summaryReader({ put: (s) => void table.upsert(s), drop: (id) => void table.remove(id), putTable: (runs) => table.absorb(runs) }).read();
  return performance.now() - t0;
}
