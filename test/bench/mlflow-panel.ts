// The experiments panel's host side over 10,000 MLflow runs, for test/bench/mlflow.bench.ts: the controller
// and the MLflow source as the editor makes them (extension/panels/mlflow-runs.ts: a long-lived reader child
// per location, dist/cli.js), and, as the baseline measured in the same run, the source as it was before: a
// load that waits for `flowbench runs --source mlflow --json` in a child, records by `flowbench show` in
// another, and the chart's buckets made in the host from every point.
// - open → first rows: the workspace's own runs beside MLflow's (shown before MLflow is read, which joins
//   later: both times), an MLflow-only workspace read cold, and reopened (the table from .flowbench/mlflow/).
// - sort and filter at 10,000 MLflow runs.
// - the compare view's chart data: 100 runs × 1 key (its history keys, then one chart), the child's buckets,
//   against the same points in our own run store and the old way.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseTrackingUri } from '../../core/mlflow/locate';
import { sqliteReader } from '../../core/mlflow/sqlite-store';
import { openRunStore } from '../../core/runs/store';
import type { RunRecord, RunSummary } from '../../core/runs/types';
import { ExperimentsController, putListed, type RunSource } from '../../extension/panels/experiments-controller';
import { mlflowRuns, withMlflow } from '../../extension/panels/mlflow-runs';
import { workspaceRuns } from '../../extension/panels/workspace-runs';
import { GetCompareRuns, GetHistories, Init, Notes, ResultChanged, RunQuery, type QueryResult } from '../../webviews/experiments/contract';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { median } from './harness';

export const HISTORY_KEYS = Array.from({ length: 5 }, (_, m) => `train/history_${m}`);

export type Timed = { ms: number; cpu: number };

/** /proc/PID/stat's fields after the command name. */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU ms of this process's children, in 100 Hz ticks: the finished ones (cutime + cstime of /proc/self/stat)
 * and the live ones (utime + stime of each process whose parent is this one: the long-lived reader).
 */
function childCpuMs(): number {
  const own = statFields('self')!;
  let ticks = Number(own[13]) + Number(own[14]);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === process.pid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10;
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


export interface Cli {
  cliPath: string;
  /** The workspace folder: the children run there, and .flowbench/mlflow/ is its. */
  cwd: string;
}

/** The panel's MLflow source over one tracking location (an mlflow.db as sqlite:///…, or an mlruns/ folder). */
export function mlflowSource(uri: string, cli: Cli) {
  return mlflowRuns({
    locations: () => [parseTrackingUri(uri, cli.cwd)],
    token: async () => undefined,
    tokenHint: '',
    cli: { nodePath: process.execPath, cliPath: cli.cliPath, cwd: cli.cwd },
    timeoutMs: 600_000,
  });
}

/** The workspace's own runs in `stateDirs`, and MLflow's at `uri` beside them, as the panel composes them. */
export function panelSource(stateDirs: string[], uri: string | undefined, cli: Cli): RunSource {
  const own = workspaceRuns(() => stateDirs, () => undefined);
  return uri ? withMlflow(own, mlflowSource(uri, cli)) : own;
}

function cliJson<T>(cli: Cli, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli.cliPath, ...args], { cwd: cli.cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(stderr || err.message));
      resolve(JSON.parse(stdout) as T);
    });
  });
}

/**
 * The baseline: MLflow's source as it was before (extension/panels/mlflow-runs.ts until this change). Its load
 * waits for `flowbench runs --source mlflow --json` in a new child and puts every summary; records asked in
 * one turn go to one `flowbench show … --json` child; the chart's buckets are made in the host.
 */
export function blockingSource(own: RunSource, uri: string, cli: Cli): RunSource {
  let listed: ReadonlySet<string> = new Set();
  let batch: Map<string, ((r: RunRecord | undefined) => void)[]> | undefined;
  const mlflowRecord = (id: string) => new Promise<RunRecord | undefined>((resolve, reject) => {
    if (!batch) {
      const taken = (batch = new Map());
      setImmediate(() => {
        batch = undefined;
        cliJson<RunRecord | RunRecord[]>(cli, ['show', ...taken.keys(), '--mlflow', uri, '--json']).then((answer) => {
          const byId = new Map((Array.isArray(answer) ? answer : [answer]).map((r) => [r.id, r]));
          for (const [k, waiting] of taken) for (const done of waiting) done(byId.get(k));
        }, reject);
      });
    }
    (batch.get(id) ?? batch.set(id, []).get(id)!).push(resolve);
  });
  return {
    async load(sink) {
      const [a, summaries] = await Promise.all([own.load(sink), cliJson<RunSummary[]>(cli, ['runs', '--source', 'mlflow', '--mlflow', uri, '--json'])]);
      listed = putListed(sink, summaries, listed);
      return a;
    },
    star: async () => undefined,
    remove: async () => undefined,
    record: (id) => (id.startsWith('mlflow:') ? mlflowRecord(id) : own.record(id)),
  };
}

const actions = { run: async () => undefined, confirmDelete: async () => false, saveCsv: async () => undefined, saveExport: async () => undefined };
const WINDOW = { from: 0, count: 60, columns: ['id', 'flow', 'status', 'start', 'duration', 'params.param_0', 'metrics.metric_5', 'metrics.metric_6'] };

/** A controller as the panel makes it, asked as its webview asks. */
export class Panel {
  readonly controller: ExperimentsController;
  private readonly posted: WireMessage[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly noted: (() => void)[] = [];
  private id = 0;

  constructor(source: RunSource) {
    this.controller = new ExperimentsController((m) => {
      this.posted.push(m);
      if (m.method === ResultChanged.method) for (const wake of this.waiting.splice(0)) wake();
      if (m.method === Notes.method) for (const wake of this.noted.splice(0)) wake();
    }, source, actions);
  }

  async ask<T>(method: string, params: unknown): Promise<T> {
    const at = ++this.id;
    await this.controller.receive({ method, id: at, params });
    const i = this.posted.findIndex((m) => m.method === RESPONSE && (m as { id?: number }).id === at);
    const answer = this.posted.splice(i, 1)[0] as Extract<WireMessage, { method: typeof RESPONSE }> | undefined;
    if (!answer || answer.error) throw new Error(`${method} failed: ${answer?.error ?? 'no answer'}`);
    return answer.result as T;
  }

  query(sort = [{ column: 'start', descending: true }], filter = ''): Promise<QueryResult> {
    return this.ask<QueryResult>(RunQuery.method, { filter, sort, groupByFlow: false, window: WINDOW });
  }

  /** Ready, then the first query: what the webview shows first. */
  async open(): Promise<QueryResult> {
    await this.controller.receive({ method: Ready.method, params: { state: undefined } });
    return this.query();
  }

  /** Until the panel's notes (posted as they change) no longer hold one starting with `prefix`. */
  async untilNoNote(prefix: string): Promise<void> {
    const holds = (notes: string[]) => notes.some((n) => n.startsWith(prefix));
    for (;;) {
      const notes = this.posted.filter((m) => m.method === Notes.method || m.method === Init.method).map((m) => (m as unknown as { params: { notes: string[] } }).params.notes);
      if (notes.length && !holds(notes.at(-1)!)) return;
      await new Promise<void>((wake) => this.noted.push(wake));
    }
  }

  /** Until a query shows `total` runs: MLflow's rows joined (each ResultChanged asks again). */
  async until(total: number): Promise<void> {
    for (;;) {
      const changed = new Promise<void>((wake) => this.waiting.push(wake));
      if ((await this.query()).total === total) return;
      await changed;
    }
  }

  dispose(): void {
    this.controller.dispose();
  }
}

/** The compare view's chart data: its history keys (GetCompareRuns), then one chart of `key`. */
export async function compareChart(panel: Panel, runIds: string[], key: string): Promise<number> {
  const compare = await panel.ask<{ historyKeys: string[] }>(GetCompareRuns.method, { ids: runIds });
  if (!compare.historyKeys.includes(key)) throw new Error(`no history ${key} among ${compare.historyKeys.join(', ')}`);
  const series = await panel.ask<{ x: number[] }[]>(GetHistories.method, { runIds, key, x: 'step', buckets: 1000 });
  const points = series.reduce((n, s) => n + s.x.length, 0);
  if (series.length !== runIds.length || points < runIds.length * 2) throw new Error(`only ${points} buckets for ${runIds.length} runs`);
  return points;
}
