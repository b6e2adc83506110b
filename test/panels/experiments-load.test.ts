// The experiments host reads the runs as soon as it is made (the open command), not when the webview says
// Ready, and the first query is answered with the result of the query the saved state names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExperimentsController, putListed, type RunSource } from '../../extension/panels/experiments-controller';
import { generateSummaries } from '../webviews/runs';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { defaultViewState, Init, RunQuery, type QueryResult } from '../../webviews/experiments/contract';

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

test('the host starts loading when it is made, and sends nothing before Ready', async () => {
  const h = host();
  assert.equal(h.loads(), 1, 'the store is read at once, while the webview boots');
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
