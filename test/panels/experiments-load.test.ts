// The experiments host reads the runs right after it is made (the open command), not when the webview says
// Ready, and the first query is answered with the result of the query the saved state names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExperimentsController, putListed, type RunSource } from '../../extension/panels/experiments-controller';
import { generateSummaries } from '../webviews/runs';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { defaultViewState, GetIds, Init, ResultChanged, RunQuery, type QueryResult } from '../../webviews/experiments/contract';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRunStore } from '../../core/runs/store';
import { RunTable } from '../../core/runs/table';
import { workspaceRuns } from '../../extension/panels/workspace-runs';
import { fakeRun } from '../runs/fake-run';
import { writeRunStore } from '../bench/generate-runs';

function host(summaries = generateSummaries(300, 3, 3)) {
  let loads = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((done) => (release = done));
  const source: RunSource = {
    load: async (sink) => {
      loads++;
      await gate;
      putListed(sink, summaries, new Set());
      return { starred: new Set<string>(), notes: [] };
    },
    star: async () => undefined,
    remove: async () => undefined,
    record: async () => undefined,
  };
  const posted: WireMessage[] = [];
  const controller = new ExperimentsController((m) => posted.push(m), source, {
    run: async () => undefined,
    confirmDelete: async () => false,
    saveCsv: async () => undefined,
    saveExport: async () => undefined,
  });
  let id = 0;
  const query = async (params: unknown): Promise<QueryResult> => {
    const at = ++id;
    await controller.receive({ method: RunQuery.method, id: at, params });
    const answer = posted.find((m): m is Extract<WireMessage, { method: typeof RESPONSE }> => m.method === RESPONSE && m.id === at);
    assert.ok(answer && !answer.error, answer?.error);
    return answer.result as QueryResult;
  };
  return { controller, posted, query, loads: () => loads, release, summaries };
}

test('the host starts loading a timer turn after it is made, and sends nothing before Ready', async () => {
  // What the extension host's IPC writer does with the panel's HTML the open command set: send it from a timer.
  const sent: number[] = [];
  setTimeout(() => sent.push(h.loads()), 0);
  const h = host();
  assert.equal(h.loads(), 0, 'nothing is read in the open command\'s own turn');
  await new Promise((done) => setTimeout(done, 0));
  assert.deepEqual(sent, [0], 'the HTML went out before the read began');
  assert.equal(h.loads(), 1, 'the store is read right after, while the webview boots');
  h.release();
  await new Promise((done) => setTimeout(done, 10));
  assert.equal(h.posted.length, 0);
  await h.controller.receive({ method: Ready.method, params: { state: undefined } });
  assert.equal(h.loads(), 1, 'Ready does not read the store again');
  assert.equal(h.posted[0]?.method, Init.method);
  h.controller.dispose();
});

test('the first query, of the saved or the default state, is answered with the rows of a fresh query', async () => {
  for (const state of [undefined, { ...defaultViewState, sort: [{ column: 'duration', descending: false }], groupByFlow: false, filter: 'status = succeeded' }]) {
    const h = host();
    h.release();
    await h.controller.receive({ method: Ready.method, params: { state } });
    await new Promise((done) => setTimeout(done, 0)); // the turn in which the host prepares the first result
    const s = state ?? defaultViewState;
    const params = { filter: s.filter, sort: s.sort, groupByFlow: s.groupByFlow, window: { from: 0, count: 50, columns: ['id', 'flow', 'start', 'duration'] } };
    const first = await h.query(params);
    const again = await h.query(params);
    assert.notEqual(first.version, again.version);
    assert.deepEqual({ ...first, version: 0 }, { ...again, version: 0 }, 'the prepared result is the one a fresh query gives');
    const expected = h.summaries.filter((r) => !s.filter || r.status === 'succeeded').length;
    assert.equal(first.total, expected);
    if (s.groupByFlow) assert.deepEqual(first.groups.map((g) => g.flow), ['evaluate', 'train']);
    else assert.deepEqual(first.window!.rows.map((r) => r.cells[3]), [...first.window!.rows.map((r) => r.cells[3] as number)].sort((a, b) => a - b));
    h.controller.dispose();
  }
});

test('Init goes out before the host computes the first result, which it does before the webview asks', async (t) => {
  const selects: number[] = [];
  const select = RunTable.prototype.select;
  t.mock.method(RunTable.prototype, 'select', function (this: RunTable, ...args: Parameters<RunTable['select']>) {
    selects.push(h.posted.length);
    return select.apply(this, args);
  });
  const h = host();
  h.release();
  await h.controller.receive({ method: Ready.method, params: { state: undefined } });
  assert.deepEqual(h.posted.map((m) => m.method), [Init.method]);
  assert.deepEqual(selects, [], 'nothing computed before Init was posted');
  await new Promise((done) => setTimeout(done, 0));
  assert.deepEqual(selects, [1], 'the default view computed once, after Init');
  const s = defaultViewState;
  const first = await h.query({ filter: s.filter, sort: s.sort, groupByFlow: s.groupByFlow, window: { from: 0, count: 5, columns: ['id'] } });
  assert.equal(first.total, h.summaries.length);
  assert.deepEqual(selects, [1], 'the first query is answered with that result');
  h.controller.dispose();
});

/** The controller over the run store at `state`, as the panel reads it; `nextChange` resolves at the next ResultChanged. */
function diskController(t: { after: (fn: () => void) => void }, state: string) {
  const posted: WireMessage[] = [];
  let changed: () => void = () => undefined;
  const controller = new ExperimentsController(
    (m) => {
      posted.push(m);
      if (m.method === ResultChanged.method) changed();
    },
    workspaceRuns(() => [state], () => undefined),
    { run: async () => undefined, confirmDelete: async () => false, saveCsv: async () => undefined, saveExport: async () => undefined },
    { throttleMs: 1 },
  );
  t.after(() => controller.dispose());
  let id = 0;
  const ask = async (method: string, params: unknown): Promise<unknown> => {
    const at = ++id;
    await controller.receive({ method, id: at, params });
    return posted.find((m): m is Extract<WireMessage, { method: typeof RESPONSE }> => m.method === RESPONSE && m.id === at)!.result;
  };
  const nextChange = () => new Promise<void>((done) => (changed = done));
  return { controller, ask, nextChange };
}

test('over a run store on disk: a reload shows runs recorded, removed and starred elsewhere since', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-xp-reload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, '.flowbench');
  const writer = openRunStore(state, { fsync: false });
  const record = (runId: string, second: number) => {
    const rec = writer.recorder();
    for (const e of fakeRun({ runId, start: Date.UTC(2026, 10, 24, 1, 0, second), metrics: { evaluate: { auc: second / 10 } } })) rec(e);
  };
  record('20261124-010000-0000', 0);
  record('20261124-010001-0001', 1);
  const { controller, ask, nextChange } = diskController(t, state);
  const query = async () => (await ask(RunQuery.method, { filter: '', sort: [{ column: 'start', descending: false }], groupByFlow: false, window: { from: 0, count: 10, columns: ['id', 'starred', 'metrics.auc'] } })) as QueryResult;
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  assert.deepEqual((await query()).window!.rows.map((r) => r.id), ['20261124-010000-0000', '20261124-010001-0001']);

  record('20261124-010002-0002', 2);
  await writer.remove('20261124-010000-0000');
  await writer.star('20261124-010001-0001', true);
  const result = nextChange();
  controller.reload();
  await result;
  const after = await query();
  assert.deepEqual(after.window!.rows.map((r) => [r.id, r.cells[1], r.cells[2]]), [
    ['20261124-010001-0001', true, 0.1],
    ['20261124-010002-0002', false, 0.2],
  ]);
  assert.equal(after.size, 2);
});

test('a reopen from the table cache: a run folder deleted by hand goes, and a record with no index line comes, right after the first rows', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-xp-unchecked-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, '.flowbench');
  writeRunStore(state, 300, { params: 12, metrics: 12 }); // past the size a table cache is written for
  const reader = openRunStore(state).summaryReader({ put: () => undefined, drop: () => undefined, putTable: () => undefined });
  await reader.read();
  assert.ok(existsSync(join(state, 'runs', 'index.table')), 'the first read wrote the table cache');
  // Behind the index's back, so the cache still describes it: a run's folder removed, another's moved in.
  const gone = '20260101-000500-0005';
  rmSync(join(state, 'runs', gone), { recursive: true });
  const elsewhere = openRunStore(join(dir, 'other', '.flowbench'), { fsync: false });
  const lone = '20270101-000000-10e0';
  const rec = elsewhere.recorder();
  for (const e of fakeRun({ runId: lone, start: Date.UTC(2027, 0, 1) })) rec(e);
  renameSync(join(dir, 'other', '.flowbench', 'runs', lone), join(state, 'runs', lone));

  const { controller, ask, nextChange } = diskController(t, state);
  const query = async () => (await ask(RunQuery.method, { filter: '', sort: [{ column: 'start', descending: true }], groupByFlow: false, window: { from: 0, count: 3, columns: ['id'] } })) as QueryResult;
  const result = nextChange();
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  const first = await query();
  assert.equal(first.size, 300, 'the first rows are the cache\'s');
  await result; // the check of the run folders, which the first rows asked for
  const after = await query();
  assert.equal(after.size, 300);
  assert.equal(after.window!.rows[0]!.id, lone, 'the record without an index line is listed');
  assert.equal(after.total, 300);
  const ids = (await ask(GetIds.method, { version: after.version, from: 0, to: 300 })) as string[];
  assert.ok(!ids.includes(gone), 'the run whose folder was deleted is gone');
  assert.ok(ids.includes('20260101-000600-0006'));
  const fresh = await openRunStore(state).list();
  assert.equal(fresh.length, 300, 'and the index says so for the next reader');
});
