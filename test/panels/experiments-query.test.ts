// The experiments controller answers a query with the rows of the window it names (one round trip from a
// sort or filter to painted rows), the same rows GetRows gives for that result, and live deltas go to that window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerHost } from '../webviews/experiments-host';
import { generateSummaries } from '../webviews/runs';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { GetRows, RunQuery, type QueryResult, type Row } from '../../webviews/experiments/contract';

function connect(runs: number) {
  const ch = controllerHost(generateSummaries(runs, 3, 3));
  const answers = new Map<number, unknown>();
  let id = 0;
  const post = async (message: unknown) => {
    const m = message as Extract<WireMessage, { method: typeof RESPONSE }>;
    if (m.method === RESPONSE) answers.set(m.id, m.error ? new Error(m.error) : m.result);
  };
  const request = async <R>(method: string, params: unknown): Promise<R> => {
    const at = ++id;
    await ch.host.receive({ method, id: at, params }, post);
    const answer = answers.get(at);
    if (answer instanceof Error) throw answer;
    return answer as R;
  };
  return { ch, post, request };
}

test('a query that names a window is answered with its rows, as GetRows gives them', async () => {
  const { ch, post, request } = connect(250);
  await ch.host.receive({ method: Ready.method, params: { state: undefined } }, post);
  const columns = ['id', 'duration', 'status'];
  const sort = [{ column: 'duration', descending: true }];
  const result = await request<QueryResult>(RunQuery.method, { filter: '', sort, groupByFlow: false, window: { from: 100, count: 100, columns } });
  assert.equal(result.total, 250);
  assert.equal(result.window?.from, 100);
  assert.equal(result.window?.rows.length, 100);
  const rows = await request<{ rows: Row[] }>(GetRows.method, { version: result.version, from: 100, count: 100, columns });
  assert.deepEqual(result.window?.rows, rows.rows);
  const durations = result.window!.rows.map((r) => r.cells[1] as number);
  assert.deepEqual(durations, [...durations].sort((a, b) => b - a), 'the window is of the sorted result');
  assert.deepEqual(ch.errors, []);
});

test('a query without a window is answered without rows; a typo keeps the result and sends no rows', async () => {
  const { ch, post, request } = connect(50);
  await ch.host.receive({ method: Ready.method, params: { state: undefined } }, post);
  const plain = await request<QueryResult>(RunQuery.method, { filter: '', sort: [], groupByFlow: false });
  assert.equal(plain.window, undefined);
  const typo = await request<QueryResult>(RunQuery.method, { filter: 'metrics.auc >', sort: [], groupByFlow: false, window: { from: 0, count: 100, columns: ['id'] } });
  assert.ok(typo.problems.length > 0);
  assert.equal(typo.version, plain.version);
  assert.equal(typo.window, undefined);
});
