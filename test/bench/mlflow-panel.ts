// The experiments panel's host side over MLflow runs in an mlflow.db, for test/bench/mlflow.bench.ts: the
// controller and the MLflow source as the editor makes them (extension/panels/mlflow-runs.ts: the CLI,
// dist/cli.js, as a child process), fed a cold source each time.
// - Histories (the compare view): the chart's data of N runs × 1 key (GetHistories: every run's record,
//   downsampled), and of N runs × 5 keys (the compare view's history keys, then five charts), each from a
//   fresh source and cache. Baselines in the same run: the same through the workspace's own run store (the
//   same points in .flowbench/runs/), and the reader in this process (no child), old query shape and new.
// - The table: open → first rows' data, then a sort and a filter, at the store's size.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseTrackingUri } from '../../core/mlflow/locate';
import { sqliteReader } from '../../core/mlflow/sqlite-store';
import { HistoryBuckets } from '../../core/runs/history-buckets';
import { openRunStore } from '../../core/runs/store';
import type { RunSource } from '../../extension/panels/experiments-controller';
import { ExperimentsController } from '../../extension/panels/experiments-controller';
import { mlflowRuns } from '../../extension/panels/mlflow-runs';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { RunQuery, type QueryResult } from '../../webviews/experiments/contract';
import type { RunSummary } from '../../core/runs/types';
import { median } from './harness';

export const HISTORY_KEYS = Array.from({ length: 5 }, (_, m) => `train/history_${m}`);

export type Timed = { ms: number; cpu: number };

/** CPU ms of this process's finished children (cutime + cstime of /proc/self/stat, in 100 Hz ticks): the CLI children's share. */
function childCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall and CPU time of `fn`, CPU of this process and of the CLI children it waited for. */
export async function timed<T>(fn: () => Promise<T>): Promise<Timed & { value: T }> {
  const c0 = process.cpuUsage();
  const k0 = childCpuMs();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 + childCpuMs() - k0, value };
}

export const medianOf = (samples: Timed[]): Timed => ({ ms: median(samples.map((s) => s.ms)), cpu: median(samples.map((s) => s.cpu)) });

/** The panel's MLflow source over one mlflow.db, its CLI child run in `cwd`. */
export function mlflowSource(dbFile: string, cwd: string, cliPath: string): RunSource {
  return mlflowRuns({
    locations: () => [parseTrackingUri(`sqlite:///${dbFile}`, cwd)],
    token: async () => undefined,
    tokenHint: '',
    cli: { nodePath: process.execPath, cliPath, cwd },
    timeoutMs: 120_000,
  });
}

const sink = { put: () => undefined, drop: () => undefined };

/** The chart data the compare view asks for: its history keys, then one GetHistories per chart. */
export async function compareCharts(get: (runId: string) => Promise<import('../../core/runs/types').RunRecord | undefined>, runIds: string[], keys: readonly string[]): Promise<number> {
  const buckets = new HistoryBuckets({ get });
  if (keys.length > 1 && (await buckets.keys(runIds)).length < keys.length) throw new Error('history keys missing');
  let points = 0;
  for (const key of keys) for (const s of await buckets.answer({ runIds, key, x: 'step', buckets: 1000 })) points += s.x.length;
  if (points < runIds.length * keys.length * 2) throw new Error(`only ${points} buckets for ${runIds.length} runs × ${keys.length} keys`);
  return points;
}

/** The same runs' histories in the workspace's own run store (record.json and metrics.jsonl per run). */
export function writeOwnRuns(stateDir: string, runs: number, points: number): string[] {
  const runsDir = join(stateDir, 'runs');
  const ids: string[] = [];
  for (let r = 0; r < runs; r++) {
    const id = `20260101-000000-${r.toString(16).padStart(4, '0')}`;
    ids.push(id);
    mkdirSync(join(runsDir, id), { recursive: true });
    const start = Date.UTC(2026, 0, 1) + r * 60_000;
    writeFileSync(join(runsDir, id, 'record.json'), JSON.stringify({
      version: 1, id, flow: 'bench', flowFile: 'bench.flow.yaml', params: {}, overrides: {}, code: { dirty: false }, start, end: start + 1000, durationMs: 1000,
      status: 'succeeded', steps: {}, metrics: {}, artifacts: [], writer: { pid: 0, hostname: '' }, updated: start + 1000,
    }));
    let lines = '';
    for (const name of HISTORY_KEYS) for (let s = 0; s < points; s++) lines += JSON.stringify({ step: 'train', name, index: s, value: Math.sin(r + s / 7), time: start + s * 10 }) + '\n';
    writeFileSync(join(runsDir, id, 'metrics.jsonl'), lines);
  }
  return ids;
}

export function ownStore(stateDir: string) {
  return openRunStore(stateDir, { fsync: false });
}

/** One (run, key) history by the reader's first query shape (`run_uuid = ? AND key = ?`: SQLite takes the primary key's key prefix). */
export function oldShapeLookup(dbFile: string, runId: string, key: string): Timed {
  const db = new Database(dbFile, { readonly: true });
  try {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const rows = db.prepare('SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp').raw().all(runId, key);
    const c = process.cpuUsage(c0);
    if (rows.length < 2) throw new Error(`no history ${key} of ${runId}`);
    return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
  } finally {
    db.close();
  }
}

/** The reader in this process: N runs × 1 key one history() at a time, and records() of N runs (every key). */
export async function readerHistories(dbFile: string, runIds: string[]): Promise<{ oneKey: Timed; records: Timed }> {
  const reader = await sqliteReader(dbFile);
  try {
    const oneKey = await timed(async () => {
      for (const id of runIds) if ((await reader.history(id, HISTORY_KEYS[1]!)).length < 2) throw new Error(`no history of ${id}`);
    });
    const records = await timed(async () => {
      const got = await reader.records!(runIds);
      if (got.length !== runIds.length) throw new Error(`records found ${got.length} of ${runIds.length}`);
    });
    return { oneKey, records };
  } finally {
    reader.close?.();
  }
}

/** open → first rows' data, a sort and a filter, in the controller over a cold MLflow source. */
export async function panelTable(source: RunSource, expected: number): Promise<{ firstRows: Timed; sort: Timed; filter: Timed }> {
  const posted: WireMessage[] = [];
  const actions = { run: async () => undefined, confirmDelete: async () => false, saveCsv: async () => undefined, saveExport: async () => undefined };
  let id = 0;
  let controller: ExperimentsController | undefined;
  const query = async (params: unknown): Promise<QueryResult> => {
    const at = ++id;
    await controller!.receive({ method: RunQuery.method, id: at, params });
    const answer = posted.find((m): m is Extract<WireMessage, { method: typeof RESPONSE }> => m.method === RESPONSE && m.id === at);
    if (!answer || answer.error) throw new Error(`query failed: ${answer?.error ?? 'no answer'}`);
    return answer.result as QueryResult;
  };
  const window = { from: 0, count: 60, columns: ['id', 'flow', 'status', 'start', 'duration', 'params.param_0', 'metrics.metric_5', 'metrics.metric_6'] };
  try {
    const firstRows = await timed(async () => {
      controller = new ExperimentsController((m) => posted.push(m), source, actions);
      await controller.receive({ method: Ready.method, params: { state: undefined } });
      const first = await query({ filter: '', sort: [{ column: 'start', descending: true }], groupByFlow: false, window });
      if (first.total !== expected || (first.window?.rows.length ?? 0) === 0) throw new Error(`the panel shows ${first.total} runs, expected ${expected}`);
    });
    const sort = await timed(() => query({ filter: '', sort: [{ column: 'metrics.metric_5', descending: true }], groupByFlow: false, window }));
    const filter = await timed(() => query({ filter: 'params.param_0 > 0.2 and status = succeeded', sort: [{ column: 'metrics.metric_5', descending: true }], groupByFlow: false, window }));
    return { firstRows, sort, filter };
  } finally {
    controller?.dispose();
  }
}

/** The same table from summaries already in memory: what the panel costs without reading MLflow. */
export function memorySource(summaries: RunSummary[]): RunSource {
  return {
    load: async (s) => {
      for (const summary of summaries) s.put(summary);
      return { starred: new Set<string>(), notes: [] };
    },
    star: async () => undefined,
    remove: async () => undefined,
    record: async () => undefined,
  };
}

export async function listedBy(source: RunSource): Promise<void> {
  await source.load(sink);
}
