// The experiments panel's MLflow source in the host (extension/panels/mlflow-runs.ts) over the real CLI child:
// the workspace's own runs are shown without waiting for MLflow, which says it is reading and joins when
// read; an unreadable store is a note beside our runs; a reopened panel takes an mlflow.db's table from
// .flowbench/mlflow/ without a child, unless the database changed or the table is torn; an mlruns/ folder's
// table is shown at once and checked by the child, a run changed since showing its new value after the check.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseTrackingUri } from '../../core/mlflow/locate';
import { mlflowTableFile } from '../../core/mlflow/mlflow-table';
import { openRunStore } from '../../core/runs/store';
import { ExperimentsController } from '../../extension/panels/experiments-controller';
import { checkingNote, mlflowRuns, readingNote, withMlflow } from '../../extension/panels/mlflow-runs';
import { fileStoreReader } from '../../core/mlflow/file-store';
import { workspaceRuns } from '../../extension/panels/workspace-runs';
import { Init, Notes, ResultChanged, RunQuery, type QueryResult } from '../../webviews/experiments/contract';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { cli, ensureBuilt, project } from '../cli/harness';
import { fakeRun } from '../runs/fake-run';
import { sampleExperiments, writeFileStore, writeSqliteStore } from './fixtures';
import { loadSettled, postBox, startService, tableSink } from './service';

before(() => ensureBuilt());

const OWL = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OWN = '20261130-090000-aaaa';

/** A project with one run of our own and an mlflow.db written a minute ago (out of the racy window). */
function workspace(t: Parameters<typeof project>[0], db: 'sample' | 'garbage' | 'mlruns' = 'sample') {
  const dir = project(t, {});
  const dbFile = join(dir, 'mlflow.db');
  if (db === 'sample') writeSqliteStore(dbFile, sampleExperiments());
  else if (db === 'garbage') writeFileSync(dbFile, 'this is not a database\n'.repeat(200));
  else writeFileStore(join(dir, 'mlruns'), sampleExperiments());
  age(dbFile);
  const rec = openRunStore(join(dir, '.flowbench'), { fsync: false }).recorder();
  for (const e of fakeRun({ runId: OWN, steps: ['train'] })) rec(e);
  // The CLI as the editor runs it, each start logged.
  const log = join(dir, 'cli-calls.log');
  const wrapper = join(dir, 'cli-logged.js');
  writeFileSync(wrapper, `require('fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(2, 3).join(' ') + '\\n'); require(${JSON.stringify(cli)});`);
  const location = parseTrackingUri(db === 'mlruns' ? join(dir, 'mlruns') : `sqlite:///${dbFile}`, dir);
  const mlflow = () => mlflowRuns({ locations: () => [location], token: async () => undefined, tokenHint: '', cli: { nodePath: process.execPath, cliPath: wrapper, cwd: dir }, timeoutMs: 30_000, prestart: false });
  return {
    dir, dbFile, location, mlflow,
    own: () => workspaceRuns(() => [join(dir, '.flowbench')], () => undefined),
    children: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
  };
}

function age(dbFile: string): void {
  const then = new Date(Date.now() - 60_000);
  for (const f of [dbFile, `${dbFile}-wal`]) if (existsSync(f)) utimesSync(f, then, then);
}

const actions = { run: async () => undefined, confirmDelete: async () => false, saveCsv: async () => undefined, saveExport: async () => undefined };

/** The controller as the panel makes it, and its first query's answer. */
async function open(source: ReturnType<typeof withMlflow>) {
  const box = postBox();
  const controller = new ExperimentsController(box.post, source, actions, {});
  const init = box.next(Init.method);
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  let at = 0;
  const query = async (): Promise<QueryResult> => {
    const id = ++at;
    await controller.receive({ method: RunQuery.method, id, params: { filter: '', sort: [{ column: 'start', descending: true }], groupByFlow: false, window: { from: 0, count: 50, columns: ['id', 'source'] } } });
    const answer = box.posted.find((m): m is Extract<WireMessage, { method: typeof RESPONSE }> => m.method === RESPONSE && m.id === id)!;
    assert.ok(answer && !answer.error, answer?.error);
    return answer.result as QueryResult;
  };
  const notes = ((await init) as unknown as { params: { notes: string[] } }).params.notes;
  return { controller, box, query, notes };
}

const rowsOf = (r: QueryResult) => r.window!.rows.map((row) => `${row.id} ${row.cells[1] ?? 'flowbench'}`).sort();

test('our own runs show at once, MLflow says it is reading, then its rows join, labelled; reopened, they come from the cache with no child', async (t) => {
  const w = workspace(t);
  const first = await open(withMlflow(w.own(), w.mlflow()));
  t.after(() => first.controller.dispose());
  const joined = first.box.next(ResultChanged.method);
  const notesAfter = first.box.next(Notes.method);
  assert.deepEqual(first.notes, [readingNote(w.location)]);
  assert.deepEqual(rowsOf(await first.query()), [`${OWN} flowbench`], 'our run is shown while MLflow is read');
  await joined;
  assert.deepEqual(((await notesAfter) as unknown as { params: { notes: string[] } }).params.notes, [], 'the reading note goes when the rows are in');
  const all = [`${OWN} flowbench`, `mlflow:${OWL} mlflow`, 'mlflow:1234567890abcdef1234567890abcdef mlflow', 'mlflow:ffeeddccbbaa99887766554433221100 mlflow'].sort();
  assert.deepEqual(rowsOf(await first.query()), all);
  assert.equal(w.children(), 1);
  assert.ok(existsSync(mlflowTableFile(join(w.dir, '.flowbench', 'mlflow'), w.location)));

  const again = await open(withMlflow(w.own(), w.mlflow()));
  t.after(() => again.controller.dispose());
  assert.deepEqual(again.notes, []);
  assert.deepEqual(rowsOf(await again.query()), all, 'every row in the first answer');
  assert.equal(w.children(), 1, 'the reopened panel started no child');
});

test('our rows keep their cells and stars when MLflow\'s bigger table joins beside them', async (t) => {
  const w = workspace(t);
  await openRunStore(join(w.dir, '.flowbench'), { fsync: false }).star(OWN, true);
  const panel = await open(withMlflow(w.own(), w.mlflow()));
  t.after(() => panel.controller.dispose());
  const window = async () => {
    const id = 1000 + panel.box.posted.length;
    await panel.controller.receive({ method: RunQuery.method, id, params: { filter: '', sort: [{ column: 'start', descending: true }], groupByFlow: false, window: { from: 0, count: 50, columns: ['id', 'starred', 'status', 'flow'] } } });
    const answer = panel.box.posted.find((m): m is Extract<WireMessage, { method: typeof RESPONSE }> => m.method === RESPONSE && m.id === id)!;
    return (answer.result as QueryResult).window!.rows.map((r) => r.cells.join(' ')).sort();
  };
  const ours = await window();
  assert.equal(ours.length, 1);
  const joined = panel.box.next(ResultChanged.method);
  await joined;
  const all = await window();
  assert.equal(all.length, 4);
  assert.ok(all.includes(ours[0]!), `our row as it was (${ours[0]}) among ${all.join('; ')}`);
  assert.match(ours[0]!, /true/, 'starred');
  assert.equal(all.filter((r) => / true /.test(r)).length, 1, 'only ours is starred');
});

test('an mlflow.db that cannot be read: a note that says why beside our own runs, which stay', async (t) => {
  const w = workspace(t, 'garbage');
  const panel = await open(withMlflow(w.own(), w.mlflow()));
  t.after(() => panel.controller.dispose());
  const notes = panel.box.next(Notes.method);
  assert.deepEqual(rowsOf(await panel.query()), [`${OWN} flowbench`]);
  const said = ((await notes) as unknown as { params: { notes: string[] } }).params.notes;
  assert.equal(said.length, 1);
  assert.match(said[0]!, new RegExp(`^MLflow runs from ${w.location.uri.replace(/[/.]/g, '\\$&')} are not shown: .*(database|MLflow)`, 'i'));
  assert.deepEqual(rowsOf(await panel.query()), [`${OWN} flowbench`]);
});

test('a changed mlflow.db is read again, never served from the table made before; a torn table is ignored and made anew', async (t) => {
  const w = workspace(t);
  const first = w.mlflow();
  t.after(() => first.dispose());
  const a = tableSink();
  await loadSettled(first, a.sink);
  assert.equal(a.table.size, 3);
  assert.equal(w.children(), 1);

  // MLflow writes a param beside us: the next load does not take the cached table, it reads the database.
  const writer = new Database(w.dbFile);
  writer.prepare("UPDATE params SET value = '0.5' WHERE run_uuid = ? AND key = 'lr'").run(OWL);
  writer.close();
  age(w.dbFile);
  const reopened = w.mlflow();
  t.after(() => reopened.dispose());
  const b = tableSink();
  assert.deepEqual((await reopened.load(b.sink)).notes, [readingNote(w.location)]);
  assert.equal(b.table.size, 0, 'nothing stale was put');
  await loadSettled(reopened, b.sink);
  assert.equal(b.cell(`mlflow:${OWL}`, 'params.lr'), 0.5);
  assert.equal(w.children(), 2);

  // The first source, its rows up: its next load sees the new key, and the table made for it since.
  assert.equal(a.cell(`mlflow:${OWL}`, 'params.lr'), 0.01);
  assert.deepEqual((await first.load(a.sink)).notes, []);
  assert.equal(a.cell(`mlflow:${OWL}`, 'params.lr'), 0.5);
  assert.equal(a.table.size, 3);
  assert.equal(w.children(), 2);

  // A torn table (cut short): not used, read again and written whole.
  const file = mlflowTableFile(join(w.dir, '.flowbench', 'mlflow'), w.location);
  truncateSync(file, statSync(file).size - 24);
  const third = w.mlflow();
  t.after(() => third.dispose());
  const c = tableSink();
  const { notes } = await third.load(c.sink);
  assert.deepEqual(notes, [readingNote(w.location)]);
  await loadSettled(third, c.sink);
  assert.equal(c.cell(`mlflow:${OWL}`, 'params.lr'), 0.5);
  const fourth = w.mlflow();
  t.after(() => fourth.dispose());
  const d = tableSink();
  const before = w.children();
  assert.deepEqual((await fourth.load(d.sink)).notes, []);
  assert.equal(d.table.size, 3, 'the table made anew is whole and used');
  assert.equal(w.children(), before);
});

test('an mlruns/ folder reopened: its table at once, said to be checked; a run changed since shows its new value once checked', async (t) => {
  const w = workspace(t, 'mlruns');
  assert.equal(w.location.kind, 'file');
  const root = join(w.dir, 'mlruns');
  const cacheDir = join(w.dir, '.flowbench', 'mlflow');
  // The index and table as a read a minute after MLflow wrote the folder left them (out of the racy window).
  const service = startService(w.location, fileStoreReader(root, w.location.uri, { cacheDir, clock: () => Date.now() + 60_000 }), cacheDir);
  await service.ask('table');
  await service.close();
  const RUNNING = 'mlflow:1234567890abcdef1234567890abcdef';

  const first = w.mlflow();
  t.after(() => first.dispose());
  const a = tableSink();
  assert.deepEqual((await first.load(a.sink)).notes, [checkingNote(w.location)], 'shown from the cache, and said to be checked');
  assert.equal(a.table.size, 3, 'every run in the first load');
  assert.equal(a.cell(RUNNING, 'metrics.mape'), 12.5);
  assert.deepEqual((await loadSettled(first, a.sink)).notes, [], 'the check ends, its note goes');
  assert.equal(a.table.size, 3);
  assert.equal(w.children(), 1);

  // MLflow appends a metric line to the running run: no folder's stamp moves, only the file's.
  appendFileSync(join(root, '2', '1234567890abcdef1234567890abcdef', 'metrics', 'mape'), `${Date.UTC(2026, 10, 30, 9, 6)} 9.5 1\n`);
  const reopened = w.mlflow();
  t.after(() => reopened.dispose());
  const b = tableSink();
  assert.deepEqual((await reopened.load(b.sink)).notes, [checkingNote(w.location)]);
  assert.equal(b.cell(RUNNING, 'metrics.mape'), 12.5, 'the table as last read, until the check');
  await loadSettled(reopened, b.sink);
  assert.equal(b.cell(RUNNING, 'metrics.mape'), 9.5, 'the changed run shows its new value');
  assert.equal(b.table.size, 3);

  // The folder gone: the cached rows show until the check, which takes them away with a note that says why.
  rmSync(root, { recursive: true });
  const gone = w.mlflow();
  t.after(() => gone.dispose());
  const c = tableSink();
  await gone.load(c.sink);
  assert.equal(c.table.size, 3);
  const { notes } = await loadSettled(gone, c.sink);
  assert.equal(c.table.size, 0, 'no rows of a folder that cannot be read');
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^MLflow runs from .* are not shown: .*does not exist/);
  assert.deepEqual((await gone.load(c.sink)).notes, notes, 'the next load says it again, and shows no stale rows');
  assert.equal(c.table.size, 0);
});
