// MLflow's SQL store in SQLite (`mlflow.db`, MLflow's default backend since 3.7): tables experiments, runs
// (status as text), params, tags, latest_metrics (the value MLflow shows) and metrics (every point, with
// step, timestamp and is_nan). better-sqlite3 is native: this module loads it on first use, and only the
// CLI process (and the child the extension spawns, `flowbench runs --source mlflow --json`) imports this.
import type BetterSqlite3 from 'better-sqlite3';
import { isStatus, MlflowError, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

type Row = unknown[];

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
  return {
    uri,
    async list() {
      const notes: string[] = [];
      const experiments = new Map<string, string>();
      for (const [id, name, stage] of db.prepare('SELECT experiment_id, name, lifecycle_stage FROM experiments').raw().all() as Row[]) {
        if (stage !== 'deleted') experiments.set(String(id), String(name));
      }
      const byId = new Map<string, MlflowRun>();
      const runs: MlflowRun[] = [];
      const sql = "SELECT run_uuid, name, status, start_time, end_time, experiment_id FROM runs WHERE lifecycle_stage IS NULL OR lifecycle_stage != 'deleted' ORDER BY start_time DESC";
      for (const [runId, name, status, start, end, expId] of db.prepare(sql).raw().all() as Row[]) {
        const experiment = experiments.get(String(expId));
        if (experiment === undefined) continue; // in a deleted experiment
        if (!isStatus(status) || typeof start !== 'number') {
          notes.push(`${uri}: run ${String(runId)} has ${!isStatus(status) ? `an unknown status '${String(status)}'` : 'no start_time'}; skipped`);
          continue;
        }
        const run: MlflowRun = {
          runId: String(runId), experimentId: String(expId), experiment, ...(typeof name === 'string' && name ? { name } : {}),
          status, start, ...(typeof end === 'number' ? { end } : {}), params: {}, metrics: {}, tags: {},
        };
        byId.set(run.runId, run);
        runs.push(run);
      }
      for (const [runId, key, value] of db.prepare('SELECT run_uuid, key, value FROM params').raw().iterate() as IterableIterator<Row>) {
        const run = byId.get(runId as string);
        if (run) run.params[key as string] = String(value);
      }
      for (const [runId, key, value] of db.prepare('SELECT run_uuid, key, value FROM tags').raw().iterate() as IterableIterator<Row>) {
        const run = byId.get(runId as string);
        if (run) run.tags[key as string] = String(value ?? '');
      }
      for (const [runId, key, value, isNan] of db.prepare('SELECT run_uuid, key, value, is_nan FROM latest_metrics').raw().iterate() as IterableIterator<Row>) {
        const run = byId.get(runId as string);
        if (run) run.metrics[key as string] = isNan ? NaN : Number(value);
      }
      return { runs, notes };
    },
    async history(runId, key) {
      const rows = db.prepare('SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp').raw().all(runId, key) as Row[];
      return rows.map(([step, timestamp, value, isNan]): MlflowPoint => ({ step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) }));
    },
    close() {
      db.close();
    },
  };
}
