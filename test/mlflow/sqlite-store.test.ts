// mlflow.db's listing folds each run's params, tags and latest metrics into JSON inside SQLite
// (core/mlflow/sqlite-store.ts): every value must come back exactly as a row-by-row read of the same tables
// gives it, awkward doubles, infinities, NaN, NULL tags and odd keys included; histories come only from
// `metrics`, by run and key, in step order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { sqliteReader } from '../../core/mlflow/sqlite-store';
import { tempProject } from '../helpers/project';
import { writeSqliteStore, type FixtureRun } from './fixtures';

const T0 = Date.UTC(2026, 10, 30, 9);
const ODD_VALUES = [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, -2.5e-300, Infinity, -Infinity, NaN, 123456789.123456789, 0, -7];

function oddRun(i: number): FixtureRun {
  return {
    runId: `${i}`.padStart(32, 'c'),
    status: 'FINISHED',
    start: T0 + i,
    end: T0 + i + 10,
    params: { lr: String(ODD_VALUES[i % ODD_VALUES.length]), 'quote"key': 'a "quoted"\nvalue', 'nested/key': 'ünïcødé ✓', empty: '' },
    tags: { 'mlflow.runName': `odd-${i}`, 'back\\slash': '\\' },
    metrics: {
      odd: [{ step: 0, timestamp: T0, value: ODD_VALUES[i % ODD_VALUES.length]! }],
      // Logged out of order, a step logged twice (the later timestamp wins), a NaN point in the middle.
      'train/loss': [3, 1, 2, 2, 0].map((step, k) => ({ step, timestamp: T0 + (step === 2 ? k : 0), value: step === 1 ? NaN : 1 / (step + 1) + k })),
    },
  };
}

function setup() {
  const p = tempProject();
  const file = p.path('mlflow.db');
  const runs = ODD_VALUES.map((_, i) => oddRun(i));
  runs.push({ runId: 'e'.repeat(32), status: 'RUNNING', start: T0, params: {}, tags: {}, metrics: {} });
  writeSqliteStore(file, [{ id: '1', name: 'odd', runs }]);
  const db = new Database(file);
  // MLflow's schema allows a tag without a value.
  db.prepare("INSERT INTO tags VALUES ('no-value', NULL, ?)").run(runs[0]!.runId);
  return { p, file, runs, db };
}

/** The same tables read a cell at a time, as the reader did before it folded them in SQL. */
function rowByRow(db: Database.Database) {
  const byId = new Map<string, { params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, number> }>();
  for (const [id] of db.prepare('SELECT run_uuid FROM runs').raw().all() as [string][]) byId.set(id, { params: {}, tags: {}, metrics: {} });
  for (const [id, k, v] of db.prepare('SELECT run_uuid, key, value FROM params').raw().all() as [string, string, string][]) byId.get(id)!.params[k] = String(v);
  for (const [id, k, v] of db.prepare('SELECT run_uuid, key, value FROM tags').raw().all() as [string, string, string | null][]) byId.get(id)!.tags[k] = String(v ?? '');
  for (const [id, k, v, nan] of db.prepare('SELECT run_uuid, key, value, is_nan FROM latest_metrics').raw().all() as [string, string, number, number][]) byId.get(id)!.metrics[k] = nan ? NaN : v;
  return byId;
}

test('mlflow.db listing: every param, tag and latest metric as a row-by-row read gives it', async (t) => {
  const { p, file, runs, db } = setup();
  t.after(() => (db.close(), p.remove()));
  const expected = rowByRow(db);
  const reader = await sqliteReader(file);
  t.after(() => reader.close?.());
  const listed = await reader.list();
  assert.deepEqual(listed.notes, []);
  assert.equal(listed.runs.length, runs.length);
  for (const run of listed.runs) {
    const want = expected.get(run.runId)!;
    assert.deepEqual(run.params, want.params, run.runId);
    assert.deepEqual(run.tags, want.tags, run.runId);
    // deepEqual compares numbers with Object.is: the same double, NaN and the infinities included.
    assert.deepEqual(run.metrics, want.metrics, run.runId);
  }
  const first = listed.runs.find((r) => r.runId === runs[0]!.runId)!;
  assert.equal(first.tags['no-value'], '');
  assert.equal(first.params['quote"key'], 'a "quoted"\nvalue');
  assert.deepEqual(listed.runs.find((r) => r.runId === 'e'.repeat(32)), { runId: 'e'.repeat(32), experimentId: '1', experiment: 'odd', name: 'e'.repeat(32), status: 'RUNNING', start: T0, params: {}, metrics: {}, tags: {} });
  assert.deepEqual(new Set(listed.runs.map((r) => r.metrics.odd).filter((v) => v !== undefined).map(String)), new Set(ODD_VALUES.map(String)));
});

test('mlflow.db: the listing takes final values from latest_metrics, a history comes from metrics by run and key', async (t) => {
  const { p, file, runs, db } = setup();
  t.after(() => (db.close(), p.remove()));
  // Tell the two tables apart: every logged point changed, the latest values left as they were.
  db.prepare('UPDATE metrics SET value = value + 1000 WHERE is_nan = 0').run();
  const reader = await sqliteReader(file);
  t.after(() => reader.close?.());
  const listed = await reader.list();
  const run = listed.runs.find((r) => r.runId === runs[1]!.runId)!;
  assert.equal(run.metrics['train/loss'], 1 / 4 + 0);
  const history = await reader.history(run.runId, 'train/loss');
  assert.deepEqual(history.map((q) => [q.step, q.timestamp]), [[0, T0], [1, T0], [2, T0 + 2], [2, T0 + 3], [3, T0]]);
  assert.deepEqual(history.map((q) => q.value), [1 + 4 + 1000, NaN, 1 / 3 + 2 + 1000, 1 / 3 + 3 + 1000, 1 / 4 + 1000]);
  // By id, folded into JSON by SQLite: the same doubles, the NaN and the order.
  assert.deepEqual((await reader.records!([run.runId]))[0]!.histories, { 'train/loss': history });
  assert.deepEqual(await reader.history(run.runId, 'absent'), []);
  assert.deepEqual(await reader.history('f'.repeat(32), 'train/loss'), []);
});
