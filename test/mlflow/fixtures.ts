// MLflow stores written the way MLflow writes them, for the readers' tests and the bench: an mlruns/
// folder in the file store's layout, and an mlflow.db with the tables of MLflow's SQLite schema
// (mlflow/mlflow tests/db/schemas/sqlite.sql: experiments, runs, params, tags, metrics, latest_metrics),
// its indexes (migration bd07f7e963c5, MLflow 1.25: run_uuid on params, metrics, latest_metrics, tags) and
// alembic_version; or as an older MLflow left it (`schema`), for the readers' handling of old files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { isLater, NUMBER_BY_STATUS, type MlflowPoint, type MlflowStatus } from '../../core/mlflow/model';

export interface FixtureRun {
  runId: string;
  name?: string;
  status: MlflowStatus;
  start: number;
  end?: number;
  deleted?: boolean;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MlflowPoint[]>;
}

export interface FixtureExperiment {
  id: string;
  name: string;
  deleted?: boolean;
  runs: FixtureRun[];
}

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Python's repr of a float, as MLflow's file store writes it. */
function pyFloat(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
}

/** As PyYAML's safe_dump writes a string: quoted only where it would read back as something else. */
function yamlText(text: string): string {
  return /^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+)$/.test(text) ? `'${text}'` : text;
}

export function writeFileStore(root: string, experiments: FixtureExperiment[]): void {
  mkdirSync(join(root, '.trash'), { recursive: true });
  for (const e of experiments) {
    // Deleted experiments move to .trash/ in the file store.
    const dir = e.deleted ? join(root, '.trash', e.id) : join(root, e.id);
    put(join(dir, 'meta.yaml'), [
      `artifact_location: file://${dir}`, 'creation_time: 1764547200000', `experiment_id: '${e.id}'`,
      'last_update_time: 1764547200000', `lifecycle_stage: ${e.deleted ? 'deleted' : 'active'}`, `name: ${e.name}`, '',
    ].join('\n'));
    for (const r of e.runs) {
      const run = join(dir, r.runId);
      put(join(run, 'meta.yaml'), [
        `artifact_uri: file://${run}/artifacts`, `end_time: ${r.end ?? 'null'}`, "entry_point_name: ''", `experiment_id: '${e.id}'`,
        `lifecycle_stage: ${r.deleted ? 'deleted' : 'active'}`, `run_id: ${yamlText(r.runId)}`, `run_name: ${yamlText(r.name ?? r.runId)}`, `run_uuid: ${yamlText(r.runId)}`,
        "source_name: ''", 'source_type: 4', "source_version: ''", `start_time: ${r.start}`, `status: ${NUMBER_BY_STATUS[r.status]}`,
        'tags: []', 'user_id: tester', '',
      ].join('\n'));
      mkdirSync(join(run, 'artifacts'), { recursive: true });
      for (const [k, v] of Object.entries(r.params)) put(join(run, 'params', k), v);
      for (const [k, v] of Object.entries(r.tags)) put(join(run, 'tags', k), v);
      for (const [k, points] of Object.entries(r.metrics)) put(join(run, 'metrics', k), points.map((p) => `${p.timestamp} ${pyFloat(p.value)} ${p.step}\n`).join(''));
    }
  }
}

const SCHEMA = `
CREATE TABLE experiments (
	experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32),
	creation_time BIGINT, last_update_time BIGINT,
	CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), UNIQUE (name),
	CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')));
CREATE TABLE runs (
	run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50),
	user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20),
	artifact_uri VARCHAR(200), experiment_id INTEGER, deleted_time BIGINT,
	CONSTRAINT run_pk PRIMARY KEY (run_uuid), FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id),
	CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
	CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')),
	CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')));
CREATE TABLE latest_metrics (
	key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,
	CONSTRAINT latest_metric_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)));
CREATE TABLE metrics (
	key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL,
	step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
	CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)));
CREATE TABLE params (
	key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
	CONSTRAINT param_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
CREATE TABLE tags (
	key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
	CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
`;

/** The run_uuid indexes MLflow creates since 1.25 (alembic revision bd07f7e963c5). */
const RUN_INDEXES = ['params', 'metrics', 'latest_metrics', 'tags'].map((t) => `CREATE INDEX index_${t}_run_uuid ON ${t} (run_uuid);`).join('\n');

/**
 * Which MLflow wrote the file: `current` (the schema above with MLflow's run_uuid indexes), `run-key-index`
 * (also metrics (run_uuid, key, step), MLflow's newest migration a5b4c3d2e1f0), `before-1.25` (no run_uuid
 * indexes), `before-1.9` (no latest_metrics table either, revision 7ac759974ad8).
 */
export type FixtureSchema = 'current' | 'run-key-index' | 'before-1.25' | 'before-1.9';

const REVISION: Record<FixtureSchema, string> = { current: 'bd07f7e963c5', 'run-key-index': 'a5b4c3d2e1f0', 'before-1.25': 'c48cb773bb87', 'before-1.9': '7ac759974ad8' };

export interface SqliteStoreOptions {
  schema?: FixtureSchema;
  /** MLflow's default is the rollback journal; a server set up for concurrent readers uses WAL. */
  journal?: 'wal' | 'delete';
}

export function writeSqliteStore(file: string, experiments: FixtureExperiment[], options: SqliteStoreOptions = {}): void {
  const db = sqliteStore(file, options);
  db.add(experiments);
  db.close();
}

/** An mlflow.db to add runs to in parts (the bench writes 10,000 runs without holding them all); indexed at close, as fast as a bulk load gets. */
export function sqliteStore(file: string, { schema = 'current', journal = 'wal' }: SqliteStoreOptions = {}): { add(experiments: FixtureExperiment[]): void; close(): void } {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma(`journal_mode = ${journal}`);
  db.exec(schema === 'before-1.9' ? SCHEMA.replace(/CREATE TABLE latest_metrics \([^;]*;/, '') : SCHEMA);
  db.exec('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));');
  db.prepare('INSERT INTO alembic_version VALUES (?)').run(REVISION[schema]);
  const exp = db.prepare('INSERT OR IGNORE INTO experiments VALUES (?, ?, ?, ?, 1764547200000, 1764547200000)');
  const run = db.prepare("INSERT INTO runs VALUES (?, ?, 'LOCAL', '', '', 'tester', ?, ?, ?, '', ?, ?, ?, NULL)");
  const param = db.prepare('INSERT INTO params VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT INTO tags VALUES (?, ?, ?)');
  // MLflow stores a NaN as value 0 with is_nan 1 (the column is NOT NULL).
  const metric = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)');
  const latest = schema === 'before-1.9' ? undefined : db.prepare('INSERT INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)');
  const add = db.transaction((experiments: FixtureExperiment[]) => {
    for (const e of experiments) {
      exp.run(Number(e.id), e.name, `mlflow-artifacts:/${e.id}`, e.deleted ? 'deleted' : 'active');
      for (const r of e.runs) {
        run.run(r.runId, r.name ?? r.runId, r.status, r.start, r.end ?? null, r.deleted ? 'deleted' : 'active', `mlflow-artifacts:/${e.id}/${r.runId}/artifacts`, Number(e.id));
        for (const [k, v] of Object.entries(r.params)) param.run(k, v, r.runId);
        for (const [k, v] of Object.entries(r.tags)) tag.run(k, v, r.runId);
        for (const [k, points] of Object.entries(r.metrics)) {
          let last: MlflowPoint | undefined;
          for (const p of points) {
            const nan = Number.isNaN(p.value);
            metric.run(k, nan ? 0 : p.value, p.timestamp, r.runId, p.step, nan ? 1 : 0);
            if (isLater(p, last)) last = p;
          }
          if (last && latest) latest.run(k, Number.isNaN(last.value) ? 0 : last.value, last.timestamp, last.step, Number.isNaN(last.value) ? 1 : 0, r.runId);
        }
      }
    }
  });
  return {
    add: (experiments) => add(experiments),
    close: () => {
      if (schema === 'current' || schema === 'run-key-index') db.exec(RUN_INDEXES);
      if (schema === 'run-key-index') db.exec('CREATE INDEX index_metrics_run_uuid_key_step ON metrics (run_uuid, key, step);');
      db.close();
    },
  };
}

/** Two experiments, a deleted one and a deleted run; nested metric keys, a NaN, a history logged out of order. */
export function sampleExperiments(): FixtureExperiment[] {
  const t0 = Date.UTC(2026, 10, 30, 9);
  return [
    {
      id: '1', name: 'churn', runs: [
        {
          runId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', name: 'brave-owl', status: 'FINISHED', start: t0, end: t0 + 60_000,
          params: { lr: '0.01', model: 'gbm', epochs: '8' }, tags: { 'mlflow.runName': 'brave-owl', 'mlflow.source.git.commit': 'abc123' },
          metrics: {
            auc: [{ step: 0, timestamp: t0 + 1000, value: 0.9 }],
            'train/loss': [{ step: 2, timestamp: t0 + 3000, value: 0.3 }, { step: 0, timestamp: t0 + 1000, value: 0.9 }, { step: 1, timestamp: t0 + 2000, value: 0.5 }],
          },
        },
        {
          runId: 'ffeeddccbbaa99887766554433221100', status: 'FAILED', start: t0 + 120_000, end: t0 + 130_000,
          params: { lr: '0.1', model: 'linear', epochs: '4' }, tags: {},
          metrics: { auc: [{ step: 0, timestamp: t0 + 121_000, value: NaN }] },
        },
        { runId: '0000000000000000000000000000dead', status: 'FINISHED', start: t0, deleted: true, params: {}, tags: {}, metrics: {} },
      ],
    },
    {
      id: '2', name: 'forecast', runs: [
        { runId: '1234567890abcdef1234567890abcdef', status: 'RUNNING', start: t0 + 300_000, params: { horizon: '7' }, tags: {}, metrics: { mape: [{ step: 0, timestamp: t0 + 301_000, value: 12.5 }] } },
      ],
    },
    { id: '3', name: 'gone', deleted: true, runs: [{ runId: '99999999999999999999999999999999', status: 'KILLED', start: t0, params: {}, tags: {}, metrics: {} }] },
  ];
}
