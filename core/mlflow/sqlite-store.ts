// MLflow's SQL store in SQLite (`mlflow.db`, MLflow's default backend since 3.7): tables experiments, runs
// (status as text), params, tags, latest_metrics (the value MLflow shows) and metrics (every point, with
// step, timestamp and is_nan). better-sqlite3 is native: this module loads it on first use, and only the
// CLI process (and the child the extension spawns, `flowbench runs --source mlflow --json`) imports this.
import type BetterSqlite3 from 'better-sqlite3';
import { isStatus, MlflowError, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

type Row = unknown[];

/**
 * Every live run with its params, tags and latest metrics, each set folded into one JSON object by SQLite.
 * Row by row (SELECT run_uuid, key, value FROM params, …) the 320,000 cells of 10,000 runs cost ~1 s of CPU
 * in making a JS string or number per cell (bench: test/bench/mlflow.bench.ts); one JSON text per run and
 * set, parsed by V8, costs a third of that. SQLite prints a REAL in JSON with 17 digits (it reads back as
 * the same double) and ±Infinity as ±9e999 (JSON.parse gives ±Infinity); a NaN is stored as 0 with is_nan
 * set, so it goes as null. `metrics` (every point of every history) is not read here: only history().
 */
const LIST_RUNS = `
  SELECT r.run_uuid, r.name, r.status, r.start_time, r.end_time, r.experiment_id, p.kv, t.kv, m.kv FROM runs r
  LEFT JOIN (SELECT run_uuid, json_group_object(key, CAST(value AS TEXT)) AS kv FROM params GROUP BY run_uuid) p ON p.run_uuid = r.run_uuid
  LEFT JOIN (SELECT run_uuid, json_group_object(key, coalesce(CAST(value AS TEXT), '')) AS kv FROM tags GROUP BY run_uuid) t ON t.run_uuid = r.run_uuid
  LEFT JOIN (SELECT run_uuid, json_group_object(key, CASE WHEN is_nan THEN NULL ELSE value END) AS kv FROM latest_metrics GROUP BY run_uuid) m ON m.run_uuid = r.run_uuid
  WHERE r.lifecycle_stage IS NULL OR r.lifecycle_stage != 'deleted'
  ORDER BY r.start_time DESC`;

function keyed(json: unknown): Record<string, string> {
  return typeof json === 'string' ? (JSON.parse(json) as Record<string, string>) : {};
}

function metricValues(json: unknown): Record<string, number> {
  const out = keyed(json) as Record<string, unknown>;
  for (const k in out) {
    const v = out[k];
    if (typeof v !== 'number') out[k] = v === null ? NaN : Number(v);
  }
  return out as Record<string, number>;
}

export async function sqliteReader(file: string, uri = `sqlite:///${file}`): Promise<MlflowReader> {
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import('better-sqlite3')).default;
    // better-sqlite3 loads its addon in the first constructor, not on import: open an in-memory database so
    // an addon this process cannot load (another platform, or built for Node's ABI and run under an editor's
    // Electron: better-sqlite3 is not N-API) is told apart from a bad database file.
    new Database(':memory:').close();
  } catch (err) {
    throw new MlflowError(
      `reading ${file} needs better-sqlite3, which cannot be loaded here (${(err as Error).message.split('\n')[0]})`,
      `serve the database (mlflow server --backend-store-uri ${uri}) and use its http:// address, or run the flowbench CLI with the Node it was installed with`,
    );
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]));
    const missing = ['experiments', 'runs', 'params', 'tags', 'metrics', 'latest_metrics'].filter((t) => !tables.has(t));
    if (missing.length) {
      db.close();
      throw new MlflowError(`${file} is not an MLflow tracking database (no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''})`, 'point --mlflow at the file `mlflow server --backend-store-uri sqlite:///…` uses');
    }
  } catch (err) {
    if (err instanceof MlflowError) throw err;
    const code = (err as { code?: string }).code;
    throw new MlflowError(
      code === 'SQLITE_CANTOPEN' ? `cannot open ${file}: it does not exist or is not readable` : code === 'SQLITE_NOTADB' ? `${file} is not an SQLite database` : `cannot read ${file}: ${(err as Error).message}`,
      'point --mlflow (or MLFLOW_TRACKING_URI) at an MLflow sqlite:///mlflow.db file',
    );
  }
  const listExperiments = db.prepare('SELECT experiment_id, name, lifecycle_stage FROM experiments').raw();
  const listRuns = db.prepare(LIST_RUNS).raw();
  // By (run, key): the compare view asks for one history at a time, never for all of them.
  const listPoints = db.prepare('SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp').raw();
  return {
    uri,
    async list() {
      const notes: string[] = [];
      const experiments = new Map<string, string>();
      for (const [id, name, stage] of listExperiments.all() as Row[]) {
        if (stage !== 'deleted') experiments.set(String(id), String(name));
      }
      const runs: MlflowRun[] = [];
      for (const [runId, name, status, start, end, expId, params, tags, metrics] of listRuns.iterate() as IterableIterator<Row>) {
        const experiment = experiments.get(String(expId));
        if (experiment === undefined) continue; // in a deleted experiment
        if (!isStatus(status) || typeof start !== 'number') {
          notes.push(`${uri}: run ${String(runId)} has ${!isStatus(status) ? `an unknown status '${String(status)}'` : 'no start_time'}; skipped`);
          continue;
        }
        runs.push({
          runId: String(runId), experimentId: String(expId), experiment, ...(typeof name === 'string' && name ? { name } : {}),
          status, start, ...(typeof end === 'number' ? { end } : {}),
          params: keyed(params), metrics: metricValues(metrics), tags: keyed(tags),
        });
      }
      return { runs, notes };
    },
    async history(runId, key) {
      const rows = listPoints.all(runId, key) as Row[];
      return rows.map(([step, timestamp, value, isNan]): MlflowPoint => ({ step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) }));
    },
    close() {
      db.close();
    },
  };
}
