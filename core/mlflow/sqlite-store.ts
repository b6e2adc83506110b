// MLflow's SQL store in SQLite (`mlflow.db`, MLflow's default backend since 3.7): tables experiments, runs
// (status as text), params, tags, latest_metrics (the value MLflow shows) and metrics (every point, with
// step, timestamp and is_nan). better-sqlite3 is native: this module loads it on first use, and only the
// CLI process (and the child the extension spawns, `flowbench runs --source mlflow --json`) imports this.
// The file is opened read-only and never written: a live MLflow server may be writing it. In WAL mode
// (journal_mode=wal) readers and the writer do not wait on each other; in MLflow's default rollback-journal
// mode a commit locks readers out for its duration, which the busy timeout waits out.
import type BetterSqlite3 from 'better-sqlite3';
import { isStatus, MlflowError, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

type Row = unknown[];

const COLUMNS = 'r.run_uuid, r.name, r.status, r.start_time, r.end_time, r.experiment_id';
const PARAMS = 'json_group_object(key, CAST(value AS TEXT))';
const TAGS = "json_group_object(key, coalesce(CAST(value AS TEXT), ''))";
const LATEST = 'json_group_object(key, CASE WHEN is_nan THEN NULL ELSE value END)';
const LIVE = "(r.lifecycle_stage IS NULL OR r.lifecycle_stage != 'deleted')";

/**
 * Every live run with its params, tags and latest metrics, each set folded into one JSON object by SQLite.
 * Row by row (SELECT run_uuid, key, value FROM params, …) the 320,000 cells of 10,000 runs cost ~1 s of CPU
 * in making a JS string or number per cell (bench: test/bench/mlflow.bench.ts); one JSON text per run and
 * set, parsed by V8, costs a third of that. SQLite prints a REAL in JSON with 17 digits (it reads back as
 * the same double) and ±Infinity as ±9e999 (JSON.parse gives ±Infinity); a NaN is stored as 0 with is_nan
 * set, so it goes as null. `metrics` (every point of every history) is not read here.
 */
const LIST_RUNS = `
  SELECT ${COLUMNS}, p.kv, t.kv, m.kv FROM runs r
  LEFT JOIN (SELECT run_uuid, ${PARAMS} AS kv FROM params GROUP BY run_uuid) p ON p.run_uuid = r.run_uuid
  LEFT JOIN (SELECT run_uuid, ${TAGS} AS kv FROM tags GROUP BY run_uuid) t ON t.run_uuid = r.run_uuid
  LEFT JOIN (SELECT run_uuid, ${LATEST} AS kv FROM latest_metrics GROUP BY run_uuid) m ON m.run_uuid = r.run_uuid
  WHERE ${LIVE}`;

/** Some runs by id, each set looked up through MLflow's run_uuid indexes (no grouping of every run). */
const RUNS_BY_ID = `
  SELECT ${COLUMNS},
    (SELECT ${PARAMS} FROM params WHERE run_uuid = r.run_uuid),
    (SELECT ${TAGS} FROM tags WHERE run_uuid = r.run_uuid),
    (SELECT ${LATEST} FROM latest_metrics WHERE run_uuid = r.run_uuid)
  FROM runs r WHERE r.run_uuid IN (SELECT value FROM json_each(?)) AND ${LIVE}`;

/**
 * A run's points. MLflow (since 1.25, schema revision bd07f7e963c5) indexes metrics by run_uuid, but SQLite,
 * without statistics, prefers the primary key (key, timestamp, step, run_uuid, …) for `key = ?`: that walks
 * every point of the key in every run (~1M entries at 10,000 runs, 0.3–0.8 s) to find one run's 100. `+key`
 * takes the key term out of index selection, so the run_uuid index answers (~1 ms; bench figures).
 */
const POINTS_INDEXED = 'SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND +key = ? ORDER BY step, timestamp';
const POINTS_BY_KEY = 'SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp';
/**
 * Each history of a run as one JSON array of [step, timestamp, value] (null for NaN; SQLite writes ±Infinity
 * as ±9e999, which JSON.parse reads back), single points left out in SQL: a JS value per cell costs 1.6× the
 * CPU at 100 runs × 5 histories × 1,000 points (measured, test/bench/mlflow.bench.ts has the figures).
 */
const SERIES = 'json_group_array(json_array(step, timestamp, CASE WHEN is_nan THEN NULL ELSE value END) ORDER BY step, timestamp)';
const RUN_POINTS = `SELECT key, ${SERIES} FROM metrics WHERE run_uuid = ? GROUP BY key HAVING count(*) > 1`;
/** Without the run_uuid index: one pass over the table for every run asked for, not one per run. */
const RUNS_POINTS_SCAN = `SELECT run_uuid, key, ${SERIES} FROM metrics WHERE run_uuid IN (SELECT value FROM json_each(?)) GROUP BY run_uuid, key HAVING count(*) > 1`;
/** One key's history of a run (a chart reads only its key: a fifth of the points at 5 histories a run). */
const RUN_KEY_POINTS = `SELECT key, ${SERIES} FROM metrics WHERE run_uuid = ? AND +key = ? GROUP BY key HAVING count(*) > 1`;
const RUNS_KEY_POINTS_SCAN = `SELECT run_uuid, key, ${SERIES} FROM metrics WHERE run_uuid IN (SELECT value FROM json_each(?)) AND key = ? GROUP BY run_uuid, key HAVING count(*) > 1`;
/** The keys a run logged at more than one point, counted in the index without making a value of any point. */
const RUN_HISTORY_KEYS = 'SELECT key FROM metrics WHERE run_uuid = ? GROUP BY key HAVING count(*) > 1';
const RUNS_HISTORY_KEYS_SCAN = 'SELECT DISTINCT key FROM (SELECT run_uuid, key FROM metrics WHERE run_uuid IN (SELECT value FROM json_each(?)) GROUP BY run_uuid, key HAVING count(*) > 1)';

/** The lookups by run, for the test that checks SQLite answers them through MLflow's index. */
export const HISTORY_QUERIES = { indexed: POINTS_INDEXED, runIndexed: RUN_POINTS };

const TABLES = ['experiments', 'runs', 'params', 'tags', 'metrics', 'latest_metrics'];

export interface SqliteReaderOptions {
  /** How long a read waits for a writer's lock before it fails (default 5 s, as MLflow's own SQLite engine). */
  busyTimeoutMs?: number;
}

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

/** Whether one of the table's indexes starts with the column (so `column = ?` is a lookup, not a scan). */
function leadsWith(db: BetterSqlite3.Database, table: string, column: string): boolean {
  const indexes = db.pragma(`index_list(${table})`) as { name: string }[];
  return indexes.some(({ name }) => (db.pragma(`index_info("${name.replace(/"/g, '""')}")`) as { name: string }[])[0]?.name === column);
}

function point([step, timestamp, value, isNan]: Row): MlflowPoint {
  return { step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) };
}

async function loadBinding(file: string, uri: string): Promise<typeof BetterSqlite3> {
  try {
    const Database = (await import('better-sqlite3')).default;
    // better-sqlite3 loads its addon in the first constructor, not on import: open an in-memory database so
    // an addon this process cannot load (another platform, or built for Node's ABI and run under an editor's
    // Electron: better-sqlite3 is not N-API) is told apart from a bad database file.
    new Database(':memory:').close();
    return Database;
  } catch (err) {
    throw new MlflowError(
      `reading ${file} needs better-sqlite3, which cannot be loaded here (${(err as Error).message.split('\n')[0]})`,
      `serve the database (mlflow server --backend-store-uri ${uri}) and use its http:// address, or run the flowbench CLI with the Node it was installed with`,
    );
  }
}

/** The schema check: MLflow's tables, or why this file is not one Flowbench reads. */
function checkSchema(db: BetterSqlite3.Database, file: string, uri: string): void {
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const missing = TABLES.filter((t) => !tables.has(t));
  if (!missing.length) return;
  const names = `${missing.join(', ')} table${missing.length > 1 ? 's' : ''}`;
  if (tables.has('alembic_version') && tables.has('runs') && tables.has('metrics')) {
    // MLflow itself refuses such a file until it is upgraded ("Detected out-of-date database schema").
    const revision = db.prepare('SELECT version_num FROM alembic_version').pluck().get();
    throw new MlflowError(
      `${file} was written by an MLflow older than 1.9 (schema revision ${String(revision ?? 'unknown')}, no ${names})`,
      `back it up, then upgrade it as MLflow asks: mlflow db upgrade ${uri}`,
    );
  }
  throw new MlflowError(`${file} is not an MLflow tracking database (no ${names})`, 'point --mlflow at the file `mlflow server --backend-store-uri sqlite:///…` uses');
}

/** An SQLite failure as what the user can do about it. */
function readError(err: unknown, file: string, busyMs: number): unknown {
  if (err instanceof MlflowError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new MlflowError(
      `${file} stayed locked by a process writing to it for ${(busyMs / 1000).toFixed(1)} s`,
      'try again when the MLflow run or server has committed; a database in WAL mode (sqlite3 mlflow.db "PRAGMA journal_mode=WAL") lets readers in while MLflow writes',
    );
  }
  if (code === 'SQLITE_CANTOPEN') return new MlflowError(`cannot open ${file}: it does not exist or is not readable`, 'point --mlflow (or MLFLOW_TRACKING_URI) at an MLflow sqlite:///mlflow.db file');
  if (code === 'SQLITE_NOTADB') return new MlflowError(`${file} is not an SQLite database`, 'point --mlflow (or MLFLOW_TRACKING_URI) at an MLflow sqlite:///mlflow.db file');
  if (code === 'SQLITE_CORRUPT') return new MlflowError(`${file} is damaged (${(err as Error).message})`, 'check it with sqlite3 mlflow.db "PRAGMA integrity_check"');
  return new MlflowError(`cannot read ${file}: ${(err as Error).message}`, 'point --mlflow (or MLFLOW_TRACKING_URI) at an MLflow sqlite:///mlflow.db file');
}

export async function sqliteReader(file: string, uri = `sqlite:///${file}`, options: SqliteReaderOptions = {}): Promise<MlflowReader> {
  const Database = await loadBinding(file, uri);
  const busyMs = options.busyTimeoutMs ?? 5000;
  const guard = <T>(read: () => T): T => {
    try {
      return read();
    } catch (err) {
      throw readError(err, file, busyMs);
    }
  };
  let db: BetterSqlite3.Database | undefined;
  const prepared = guard(() => {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyMs });
    try {
      checkSchema(db, file, uri);
    } catch (err) {
      db.close();
      throw err;
    }
    const byRun = leadsWith(db, 'metrics', 'run_uuid');
    const setsByRun = ['params', 'tags', 'latest_metrics'].every((t) => leadsWith(db!, t, 'run_uuid'));
    return {
      byRun,
      listExperiments: db.prepare('SELECT experiment_id, name, lifecycle_stage FROM experiments').raw(),
      listRuns: db.prepare(`${LIST_RUNS} ORDER BY r.start_time DESC`).raw(),
      runsById: db.prepare(setsByRun ? RUNS_BY_ID : `${LIST_RUNS} AND r.run_uuid IN (SELECT value FROM json_each(?))`).raw(),
      points: db.prepare(byRun ? POINTS_INDEXED : POINTS_BY_KEY).raw(),
      runPoints: byRun ? db.prepare(RUN_POINTS).raw() : db.prepare(RUNS_POINTS_SCAN).raw(),
      runKeyPoints: byRun ? db.prepare(RUN_KEY_POINTS).raw() : db.prepare(RUNS_KEY_POINTS_SCAN).raw(),
      historyKeys: db.prepare(byRun ? RUN_HISTORY_KEYS : RUNS_HISTORY_KEYS_SCAN).pluck(),
    };
  });
  const { byRun, listExperiments, listRuns, runsById, points, runPoints, runKeyPoints, historyKeys } = prepared;

  const liveExperiments = () => {
    const experiments = new Map<string, string>();
    for (const [id, name, stage] of listExperiments.all() as Row[]) {
      if (stage !== 'deleted') experiments.set(String(id), String(name));
    }
    return experiments;
  };
  // `rows` is called after the experiments are read: an iterator opened and left unread (the experiments'
  // read failing on a lock) would keep its statement busy for every later read.
  const toRuns = (rows: () => Iterable<Row>, notes: string[]) => {
    const experiments = liveExperiments();
    const runs: MlflowRun[] = [];
    for (const [runId, name, status, start, end, expId, params, tags, metrics] of rows()) {
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
    return runs;
  };
  /** Each run's histories (the keys it logged at more than one point), or only the history of `key`. */
  const historiesOf = (runIds: readonly string[], key?: string) => {
    const out = new Map<string, Record<string, MlflowPoint[]>>(runIds.map((id) => [id, {}]));
    const add = (runId: string, key: string, json: string) => {
      out.get(runId)![key] = (JSON.parse(json) as [number, number, number | null][]).map(([step, timestamp, value]) => ({ step, timestamp, value: value ?? NaN }));
    };
    const only = key === undefined ? [] : [key];
    const statement = key === undefined ? runPoints : runKeyPoints;
    if (byRun) {
      for (const runId of runIds) for (const [k, json] of statement.iterate(runId, ...only) as IterableIterator<Row>) add(runId, String(k), String(json));
    } else {
      for (const [runId, k, json] of statement.iterate(JSON.stringify(runIds), ...only) as IterableIterator<Row>) add(String(runId), String(k), String(json));
    }
    return out;
  };

  return {
    uri,
    async list() {
      return guard(() => {
        const notes: string[] = [];
        if (!byRun) notes.push(`${uri}: the metrics table has no run_uuid index (a schema from before MLflow 1.25), so histories are read slowly; back it up and run mlflow db upgrade ${uri} to add it`);
        return { runs: toRuns(() => listRuns.iterate() as IterableIterator<Row>, notes), notes };
      });
    },
    async history(runId, key) {
      return guard(() => (points.all(runId, key) as Row[]).map(point));
    },
    async records(runIds, key) {
      return guard(() => {
        const ids = [...new Set(runIds)];
        const runs = toRuns(() => runsById.iterate(JSON.stringify(ids)) as IterableIterator<Row>, []);
        const histories = historiesOf(runs.map((r) => r.runId), key);
        return runs.map((run) => ({ run, histories: histories.get(run.runId)! }));
      });
    },
    async historyKeys(runIds) {
      return guard(() => {
        const ids = [...new Set(runIds)];
        const keys = new Set<string>();
        if (byRun) for (const id of ids) for (const k of historyKeys.iterate(id) as IterableIterator<unknown>) keys.add(String(k));
        else for (const k of historyKeys.iterate(JSON.stringify(ids)) as IterableIterator<unknown>) keys.add(String(k));
        return [...keys].sort();
      });
    },
    close() {
      db?.close();
    },
  };
}
