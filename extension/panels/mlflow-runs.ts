// MLflow runs in the experiments panel, vscode-free: a RunSource over the tracking locations the editor
// knows (setting, MLFLOW_TRACKING_URI, ./mlruns and ./mlflow.db in the workspace), composed with the
// workspace's own runs. A server is read in-process (fetch); an mlflow.db and an mlruns/ folder by the CLI in
// a child process (`flowbench runs --source mlflow --json`): better-sqlite3 is native, which the extension
// host never loads, and the file store reads its ~330,000 files at 10,000 runs synchronously (fastest, see
// core/mlflow/file-store.ts), which would freeze the extension host. MLflow runs are read-only.
import { execFile } from 'node:child_process';
import { mlflowRunSet, type MlflowRunSet } from '../../core/mlflow/collect';
import type { TrackingLocation } from '../../core/mlflow/locate';
import { mlflowRunId } from '../../core/mlflow/map';
import { MlflowError } from '../../core/mlflow/model';
import { restReader } from '../../core/mlflow/rest';
import type { RunRecord, RunSummary } from '../../core/runs/types';
import { putListed, type RunSource } from './experiments-controller';

export const READ_ONLY = 'MLflow runs are read-only in Flowbench: star, delete or re-run them in MLflow itself.';

export interface MlflowSourceOptions {
  /** Where to look, read again at every load (settings and folders change). */
  locations(): TrackingLocation[];
  token(): Promise<string | undefined>;
  /** Said when a server answers 401/403. */
  tokenHint: string;
  /**
   * How to run the CLI for mlflow.db and mlruns/: `node dist/cli.js` with ELECTRON_RUN_AS_NODE, in `cwd`
   * (the workspace folder: an mlruns/ folder's index of parsed runs goes to its .flowbench/mlflow/).
   */
  cli: { nodePath: string; cliPath: string; cwd?: string; env?: NodeJS.ProcessEnv };
  timeoutMs?: number;
}

function describe(location: TrackingLocation, err: unknown): string {
  const message = err instanceof MlflowError ? `${err.message}${err.remedy ? ` (${err.remedy})` : ''}` : (err as Error)?.message ?? String(err);
  return `MLflow runs from ${location.uri} are not shown: ${message}`;
}

/** The CLI as a child process: its stdout as JSON, or its first error line. */
function cliJson<T>(options: MlflowSourceOptions, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(options.cli.nodePath, [options.cli.cliPath, ...args], { ...(options.cli.cwd ? { cwd: options.cli.cwd } : {}), env: { ...process.env, ...options.cli.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' }, maxBuffer: 1 << 30, timeout: options.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(stderr.split('\n').filter(Boolean).slice(0, 2).map((l) => l.replace(/^flowbench: /, '').trim()).join(' — ') || err.message));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`the CLI printed no JSON for ${args.join(' ')}`));
      }
    });
  });
}

/**
 * `record` calls made together (the compare view asks for its whole selection at once) go to the CLI as one
 * `flowbench show mlflow:ID… --json` per location: one process and one open of the store for 100 runs, not
 * one each (a child costs ~0.3 s before it reads anything).
 */
function batchedRecords(options: MlflowSourceOptions): (location: TrackingLocation, runId: string) => Promise<RunRecord | undefined> {
  const pending = new Map<string, { location: TrackingLocation; waiting: Map<string, ((r: RunRecord | undefined) => void)[]>; failed: ((err: unknown) => void)[] }>();
  const flush = async (uri: string) => {
    const batch = pending.get(uri)!;
    pending.delete(uri);
    const ids = [...batch.waiting.keys()];
    try {
      const answer = await cliJson<RunRecord | RunRecord[]>(options, ['show', ...ids, '--mlflow', batch.location.uri, '--json']);
      const byId = new Map((Array.isArray(answer) ? answer : [answer]).map((r) => [r.id, revive(r)]));
      for (const [id, resolvers] of batch.waiting) for (const resolve of resolvers) resolve(byId.get(id));
    } catch (err) {
      for (const reject of batch.failed) reject(err);
    }
  };
  return (location, runId) => new Promise((resolve, reject) => {
    let batch = pending.get(location.uri);
    if (!batch) {
      batch = { location, waiting: new Map(), failed: [] };
      pending.set(location.uri, batch);
      setImmediate(() => void flush(location.uri));
    }
    (batch.waiting.get(runId) ?? batch.waiting.set(runId, []).get(runId)!).push(resolve);
    batch.failed.push(reject);
  });
}

/**
 * The CLI prints non-finite numbers as the strings "NaN", "Infinity" and "-Infinity" (JSON has none);
 * MLflow's metrics are numbers, so they are numbers again here (a diverged loss sorts as +∞, not as NaN).
 */
function revive<T extends { metrics: Record<string, unknown>; histories?: Record<string, { value: unknown }[]> }>(run: T): T {
  const number = (v: unknown) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v);
  for (const key in run.metrics) run.metrics[key] = number(run.metrics[key]);
  for (const key in run.histories) for (const p of run.histories[key]!) p.value = number(p.value);
  return run;
}

export function mlflowRuns(options: MlflowSourceOptions): RunSource {
  /** Which location listed a run, to ask it for the record. */
  const owners = new Map<string, { location: TrackingLocation; set?: MlflowRunSet }>();
  const fromCli = batchedRecords(options);
  /** The ids the last load put, to drop those the next one does not list. */
  let listed: ReadonlySet<string> = new Set();
  return {
    async load(sink) {
      owners.clear();
      const summaries: RunSummary[] = [];
      const notes: string[] = [];
      let locations: TrackingLocation[];
      try {
        locations = options.locations();
      } catch (err) {
        listed = putListed(sink, summaries, listed);
        return { starred: new Set<string>(), notes: [`MLflow runs are not shown: ${err instanceof MlflowError ? `${err.message} (${err.remedy})` : String(err)}`] };
      }
      const token = locations.some((l) => l.kind === 'rest') ? await options.token() : undefined;
      for (const location of locations) {
        try {
          if (location.kind !== 'rest') {
            const listed = (await cliJson<RunSummary[]>(options, ['runs', '--source', 'mlflow', '--mlflow', location.uri, '--json'])).map(revive);
            for (const s of listed) owners.set(s.id, { location });
            summaries.push(...listed);
            continue;
          }
          const set = mlflowRunSet([restReader(location.url, { token, tokenHint: options.tokenHint, timeoutMs: options.timeoutMs })]);
          const listed = await set.load();
          notes.push(...listed.notes);
          for (const s of listed.summaries) owners.set(s.id, { location, set });
          summaries.push(...listed.summaries);
        } catch (err) {
          notes.push(describe(location, err));
        }
      }
      listed = putListed(sink, summaries, listed);
      return { starred: new Set<string>(), notes };
    },
    async star() {
      throw new Error(READ_ONLY);
    },
    async remove() {
      throw new Error(READ_ONLY);
    },
    async record(runId) {
      const owner = owners.get(runId);
      if (!owner) return undefined;
      if (owner.set) return owner.set.record(runId);
      return fromCli(owner.location, runId);
    },
  };
}

/** The workspace's runs and MLflow's in one panel; each action goes to the source that has the run. */
export function withMlflow(own: RunSource, mlflow: RunSource): RunSource {
  const pick = (id: string) => (mlflowRunId(id) !== undefined ? mlflow : own);
  return {
    async load(sink) {
      const [a, b] = await Promise.all([own.load(sink), mlflow.load(sink)]);
      return { starred: a.starred, notes: [...a.notes, ...b.notes] };
    },
    star: (runId, on) => pick(runId).star(runId, on),
    remove: (runId) => pick(runId).remove(runId),
    record: (runId) => pick(runId).record(runId),
  };
}
