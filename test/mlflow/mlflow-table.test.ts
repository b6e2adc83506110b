// MLflow's runs as the panel's table in .flowbench/mlflow/ (core/mlflow/mlflow-table.ts), written by the
// reader service (core/mlflow/reader-service.ts): read back only while the source is in the state it was
// made from (an mlflow.db's sizes and times, an mlruns/ folder's index), never stale; a torn table is not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlflowRunSet } from '../../core/mlflow/collect';
import { fileStoreReader } from '../../core/mlflow/file-store';
import { parseTrackingUri } from '../../core/mlflow/locate';
import { sqliteKey } from '../../core/mlflow/mlflow-table';
import type { TableAnswer } from '../../core/mlflow/reader-service';
import { sqliteReader } from '../../core/mlflow/sqlite-store';
import { RunTable } from '../../core/runs/table';
import { readSourceTable } from '../../core/runs/table-cache';
import { tempProject } from '../helpers/project';
import Database from 'better-sqlite3';
import { sampleExperiments, writeFileStore, writeSqliteStore } from './fixtures';
import { startService } from './service';

const OWL = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** Every cell of every run, in id order: what the panel would show. */
function cells(table: RunTable): unknown[] {
  const keys = table.columns().map((c) => c.key).sort();
  const view = Int32Array.from(table.ids().sort().map((id) => table.rowOf(id)!));
  return [keys, table.rows(view, 0, view.length, keys)];
}

/** As if the last write was a minute ago: out of the racy window. */
function age(dbFile: string): void {
  const then = new Date(Date.now() - 60_000);
  for (const f of [dbFile, `${dbFile}-wal`]) if (existsSync(f)) utimesSync(f, then, then);
}

const isTable = (t: RunTable | string): RunTable => {
  assert.ok(typeof t !== 'string', `the table is not read: ${t}`);
  return t;
};

test('an mlflow.db: its table is kept under the database\'s key, equal to a fresh read; a changed database is another key', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  const db = p.path('mlflow.db');
  writeSqliteStore(db, sampleExperiments());
  age(db);
  const location = parseTrackingUri(`sqlite:///${db}`, p.root);
  const service = startService(location, await sqliteReader(db), p.path('.flowbench/mlflow'));
  t.after(() => service.close());

  const first = (await service.ask<TableAnswer>('table')) as Extract<TableAnswer, { file: string }>;
  assert.equal(first.key, sqliteKey(db).key);
  const fresh = async () => {
    const reader = await sqliteReader(db);
    try {
      return RunTable.fromSummaries((await mlflowRunSet([reader]).load()).summaries);
    } finally {
      reader.close?.();
    }
  };
  assert.deepEqual(cells(isTable(readSourceTable(first.file, sqliteKey(db).key))), cells(await fresh()));
  assert.equal(isTable(readSourceTable(first.file, sqliteKey(db).key)).size, 3);

  // MLflow writes beside the reader (a param set in place, into the WAL): the key moves, the old table is not taken.
  const writer = new Database(db);
  writer.prepare("UPDATE params SET value = '0.5' WHERE run_uuid = ? AND key = 'lr'").run(OWL);
  age(db);
  assert.notEqual(sqliteKey(db).key, first.key);
  assert.match(readSourceTable(first.file, sqliteKey(db).key) as string, /another state/);
  const second = (await service.ask<TableAnswer>('table')) as Extract<TableAnswer, { file: string }>;
  assert.equal(second.key, sqliteKey(db).key);
  const table = isTable(readSourceTable(second.file, second.key));
  assert.deepEqual(cells(table), cells(await fresh()));
  assert.equal(table.rows([table.rowOf(`mlflow:${OWL}`)!], 0, 1, ['params.lr'])[0]!.cells[0], 0.5);
  writer.close();
});

test('an mlflow.db written within the racy window: its table is for this read only, no later key matches it', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  const db = p.path('mlflow.db');
  writeSqliteStore(db, sampleExperiments());
  assert.equal(sqliteKey(db).racy, true);
  const service = startService(parseTrackingUri(`sqlite:///${db}`, p.root), await sqliteReader(db), p.path('.flowbench/mlflow'));
  t.after(() => service.close());
  const answer = (await service.ask<TableAnswer>('table')) as Extract<TableAnswer, { file: string }>;
  assert.match(answer.key, /^racy /);
  assert.equal(isTable(readSourceTable(answer.file, answer.key)).size, 3);
  age(db);
  assert.match(readSourceTable(answer.file, sqliteKey(db).key) as string, /another state/);
});

test('mlruns/: the table is keyed by the file-store index; unchanged, it is not rewritten; a changed run is a new table; a torn one is rebuilt', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  const root = p.path('mlruns');
  writeFileStore(root, sampleExperiments());
  const location = parseTrackingUri(root, p.root);
  // Read as if a minute later: the files just written are out of the index's racy window.
  const reader = fileStoreReader(root, location.uri, { cacheDir: p.path('.flowbench/mlflow'), clock: () => Date.now() + 60_000 });
  const service = startService(location, reader, p.path('.flowbench/mlflow'));
  t.after(() => service.close());
  const ask = async (args: Record<string, unknown> = {}) => (await service.ask<TableAnswer>('table', args)) as Extract<TableAnswer, { file: string }>;

  const first = await ask();
  assert.match(first.key, /^mlruns \d+:/);
  assert.equal(isTable(readSourceTable(first.file, first.key)).size, 3);
  const written = statSync(first.file);
  const again = await ask();
  assert.equal(again.key, first.key);
  assert.deepEqual([statSync(first.file).ino, statSync(first.file).mtimeMs], [written.ino, written.mtimeMs], 'nothing changed: the table is not made again');

  // A param logged to a run (a new file, its folder's stamp moves): the index is rewritten, and so is the table.
  writeFileSync(join(root, '1', OWL, 'params', 'extra'), '5');
  const changed = await ask();
  assert.notEqual(changed.key, first.key);
  assert.match(readSourceTable(changed.file, first.key) as string, /another state/);
  const table = isTable(readSourceTable(changed.file, changed.key));
  assert.equal(table.rows([table.rowOf(`mlflow:${OWL}`)!], 0, 1, ['params.extra'])[0]!.cells[0], 5);

  // Torn (a crash mid-copy, a disk error): its header still names the key, its bytes are not whole.
  truncateSync(changed.file, statSync(changed.file).size - 16);
  assert.match(readSourceTable(changed.file, changed.key) as string, /torn|corrupt/);
  assert.equal((await ask()).key, changed.key, 'the service goes by the header');
  const rebuilt = await ask({ rebuild: true });
  assert.deepEqual(cells(isTable(readSourceTable(rebuilt.file, rebuilt.key))), cells(table));
});

test('the service answers a chart from its runs\' histories, downsampled, and a bad request with an error', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  const db = p.path('mlflow.db');
  const runs = Array.from({ length: 3 }, (_, i) => ({
    runId: (i + 1).toString(16).padStart(32, '0'), status: 'FINISHED' as const, start: 1000, end: 9000, params: {}, tags: {},
    metrics: { loss: Array.from({ length: 400 }, (_, s) => ({ step: s, timestamp: 1000 + s, value: s === 7 ? -5 : i * 1000 + s })), once: [{ step: 0, timestamp: 1, value: 1 }] },
  }));
  writeSqliteStore(db, [{ id: '1', name: 'e', runs }]);
  const service = startService(parseTrackingUri(`sqlite:///${db}`, p.root), await sqliteReader(db), p.path('.flowbench/mlflow'));
  t.after(() => service.close());
  const ids = runs.map((r) => `mlflow:${r.runId}`);
  assert.deepEqual(await service.ask('keys', { ids }), ['loss']);
  const series = await service.ask<{ runId: string; x: number[]; min: number[]; max: number[]; last: number[] }[]>('histories', { request: { runIds: ids, key: 'loss', x: 'step', buckets: 10 } });
  assert.deepEqual(series.map((s) => s.runId), ids);
  for (const [i, s] of series.entries()) {
    assert.equal(s.x.length, 10, 'ten buckets of 40 points, not 400 points');
    assert.equal(s.min[0], -5, 'a bucket keeps its minimum');
    assert.equal(s.max[9], i * 1000 + 399);
    assert.equal(s.last[9], i * 1000 + 399);
  }
  await assert.rejects(service.ask('nope'), /unknown request "nope"/);
});
