// mlflow.db as MLflow versions leave it (run_uuid indexes since 1.25, a (run_uuid, key, step) index in the
// newest, none before; no latest_metrics before 1.9), a run looked up by id with its histories, and a file
// a live MLflow is writing: in WAL mode we read beside the writer, in rollback mode a held lock ends in a
// clear error once the busy timeout is out, never a hang or a raw SQLITE_BUSY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { mlflowRunSet } from '../../core/mlflow/collect';
import { MlflowError, type MlflowPoint } from '../../core/mlflow/model';
import { HISTORY_QUERIES, sqliteReader } from '../../core/mlflow/sqlite-store';
import { tempProject } from '../helpers/project';
import { writeSqliteStore, type FixtureExperiment, type FixtureRun, type FixtureSchema } from './fixtures';

const T0 = Date.UTC(2026, 10, 30, 9);
const id = (n: number) => n.toString(16).padStart(32, '0');

/** Runs with NaN and ±inf points, a deleted run, a deleted experiment's run, nested runs under a parent. */
function experiments(): FixtureExperiment[] {
  const curve = (n: number, k: number): MlflowPoint[] => Array.from({ length: 6 }, (_, s) => ({ step: s, timestamp: T0 + s, value: s === 2 ? NaN : s === 4 ? Infinity * (k % 2 ? -1 : 1) : n + s / 10 }));
  const trial = (n: number, parent?: string): FixtureRun => ({
    runId: id(n), name: `trial-${n}`, status: 'FINISHED', start: T0 + n * 1000, end: T0 + n * 1000 + 10,
    params: { lr: String(n / 100) }, tags: parent ? { 'mlflow.parentRunId': parent } : {},
    metrics: { loss: curve(n, n), acc: curve(n + 1, n + 1), diverged: [{ step: 0, timestamp: T0, value: Infinity }], once: [{ step: 0, timestamp: T0, value: n }] },
  });
  return [
    { id: '1', name: 'search', runs: [
      { ...trial(1), name: 'parent-search', metrics: {} },
      trial(3, id(1)), trial(2, id(1)), trial(4, id(1)),
      { ...trial(5), deleted: true },
      trial(6),
    ] },
    { id: '2', name: 'gone', deleted: true, runs: [trial(7)] },
  ];
}

function store(t: { after(fn: () => void): void }, schema: FixtureSchema, journal: 'wal' | 'delete' = 'wal') {
  const p = tempProject();
  t.after(() => p.remove());
  const file = p.path('mlflow.db');
  writeSqliteStore(file, experiments(), { schema, journal });
  return file;
}

test('mlflow.db of every indexed schema: a run by id with its histories, as the listing and history() give them', async (t) => {
  for (const schema of ['current', 'run-key-index', 'before-1.25'] as const) {
    const reader = await sqliteReader(store(t, schema));
    t.after(() => reader.close?.());
    const listed = await reader.list();
    const asked = [id(2), id(6), id(5), id(7), 'f'.repeat(32), id(2)];
    const records = await reader.records!(asked);
    // Deleted, in a deleted experiment, unknown: left out; asked twice: once.
    assert.deepEqual(records.map((r) => r.run.runId).sort(), [id(2), id(6)], schema);
    for (const { run, histories } of records) {
      assert.deepEqual(run, listed.runs.find((r) => r.runId === run.runId), schema);
      // Single points are final values, not histories.
      assert.deepEqual(Object.keys(histories).sort(), ['acc', 'loss'], schema);
      for (const key of ['acc', 'loss']) assert.deepEqual(histories[key], await reader.history(run.runId, key), `${schema} ${key}`);
      // deepEqual compares with Object.is: NaN and the infinities come back as they were logged.
      const n = run.runId === id(6) ? 6 : 2;
      assert.deepEqual(histories.loss!.map((q) => q.value), [n, n + 0.1, NaN, n + 0.3, Infinity, n + 0.5], schema);
      assert.equal(run.metrics.diverged, Infinity, schema);
    }
    const indexNote = listed.notes.some((n) => /no run_uuid index.*mlflow db upgrade/.test(n));
    assert.equal(indexNote, schema === 'before-1.25', schema);
  }
});

test('mlflow.db: a history is looked up through MLflow’s run_uuid index where there is one, not the key’s every point', (t) => {
  for (const schema of ['current', 'run-key-index'] as const) {
    const db = new Database(store(t, schema), { readonly: true });
    t.after(() => db.close());
    for (const sql of [HISTORY_QUERIES.indexed, HISTORY_QUERIES.runIndexed]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...sql.split('?').slice(1).map(() => 'x')) as { detail: string }[]).map((r) => r.detail).join(' | ');
      assert.match(plan, /USING INDEX index_metrics_run_uuid(_key_step)? \(run_uuid=\?/, `${schema}: ${plan}`);
    }
  }
});

test('mlflow.db from before MLflow 1.9 (no latest_metrics): the error names the schema and MLflow’s upgrade, nothing is written', async (t) => {
  const file = store(t, 'before-1.9');
  const before = new Database(file, { readonly: true });
  const tables = before.prepare("SELECT count(*) FROM sqlite_master").pluck().get();
  before.close();
  await assert.rejects(sqliteReader(file), (err: unknown) => {
    assert.ok(err instanceof MlflowError);
    assert.match(err.message, /older than 1\.9 \(schema revision 7ac759974ad8, no latest_metrics table\)/);
    assert.equal(err.remedy, `back it up, then upgrade it as MLflow asks: mlflow db upgrade sqlite:///${file}`);
    return true;
  });
  const after = new Database(file, { readonly: true });
  t.after(() => after.close());
  assert.equal(after.prepare("SELECT count(*) FROM sqlite_master").pluck().get(), tables);
});

test('nested runs (mlflow.parentRunId) are a sweep named after the parent, its trials in start order', async (t) => {
  const reader = await sqliteReader(store(t, 'current'));
  t.after(() => reader.close?.());
  const set = mlflowRunSet([reader]);
  const { summaries } = await set.load();
  const sweep = (n: number) => summaries.find((s) => s.id === `mlflow:${id(n)}`)?.sweep;
  assert.deepEqual([2, 3, 4].map(sweep), [0, 1, 2].map((variant) => ({ name: 'parent-search', id: `mlflow:${id(1)}`, variant, of: 3 })));
  assert.equal(sweep(1), undefined);
  assert.equal(sweep(6), undefined);
  // Once listed, a record says so too; several asked at once come back in the order asked.
  const records = await set.records([`mlflow:${id(3)}`, `mlflow:${id(6)}`, 'mlflow:nope']);
  assert.deepEqual(records.map((r) => [r.id, r.sweep?.variant]), [[`mlflow:${id(3)}`, 1], [`mlflow:${id(6)}`, undefined]]);
  assert.deepEqual(records[0]!.histories.loss!.map((p) => p.index), [0, 1, 2, 3, 4, 5]);
});

/** A writer in another process, as a live MLflow server is: it holds a transaction until told to end it. */
async function writer(file: string, sql: string) {
  const script = `
    const db = new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)});
    db.exec(${JSON.stringify(sql)});
    console.log('holding');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); console.log('committed'); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  assert.equal((await lines.next()).value, 'holding');
  return {
    async commit() {
      child.stdin!.end('\n');
      assert.equal((await lines.next()).value, 'committed');
      await once(child, 'exit');
    },
  };
}

const NEW_RUN = `INSERT INTO runs VALUES ('${'a'.repeat(32)}', 'live', 'LOCAL', '', '', 'tester', 'RUNNING', ${T0}, NULL, '', 'active', '', 1, NULL)`;

test('a live MLflow writing a WAL-mode mlflow.db: we read beside its open transaction, then see what it committed', async (t) => {
  const file = store(t, 'current', 'wal');
  const live = await writer(file, `BEGIN IMMEDIATE; ${NEW_RUN}`);
  const reader = await sqliteReader(file, undefined, { busyTimeoutMs: 100 });
  t.after(() => reader.close?.());
  const during = await reader.list();
  assert.ok(!during.runs.some((r) => r.name === 'live'));
  await live.commit();
  assert.ok((await reader.list()).runs.some((r) => r.name === 'live' && r.status === 'RUNNING'));
});

test('a rollback-journal mlflow.db locked by a writer: a clear error after the busy timeout, then read once it commits', async (t) => {
  const file = store(t, 'current', 'delete');
  const reader = await sqliteReader(file, undefined, { busyTimeoutMs: 100 });
  t.after(() => reader.close?.());
  const live = await writer(file, `BEGIN EXCLUSIVE; ${NEW_RUN}`);
  await assert.rejects(reader.list(), (err: unknown) => {
    assert.ok(err instanceof MlflowError);
    assert.match(err.message, /stayed locked by a process writing to it for 0\.1 s/);
    assert.match(err.remedy ?? '', /WAL/);
    return true;
  });
  await assert.rejects(reader.records!([id(2)]), MlflowError);
  await live.commit();
  assert.ok((await reader.list()).runs.some((r) => r.name === 'live'));
});
