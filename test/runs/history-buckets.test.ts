import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRunStore } from '../../core/runs/store';
import { HistoryBuckets } from '../../core/runs/history-buckets';
import { fakeRun } from './fake-run';

function storeWithRuns(t: { after: (fn: () => void) => void }, lengths: number[]) {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-buckets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, '.flowbench');
  const store = openRunStore(state, { fsync: false });
  const ids = lengths.map((n, i) => {
    const runId = `20260101-00000${i}-000${i}`;
    const rec = store.recorder();
    for (const e of fakeRun({ runId, steps: ['train'], start: Date.UTC(2026, 0, 1, i), histories: { train: { loss: Array.from({ length: n }, (_, k) => 1 / (k + 1 + i)) } } })) rec(e);
    return runId;
  });
  return { store, ids, metricsFile: (id: string) => join(state, 'runs', id, 'metrics.jsonl') };
}

test('answers a chart request with buckets on one grid for all runs, from the real store', async (t) => {
  const { store, ids } = storeWithRuns(t, [2000, 500]);
  const source = new HistoryBuckets(store);
  const [a, b] = await source.answer({ runIds: ids, key: 'loss', x: 'step', buckets: 100 });
  assert.equal(a.x.length, 100);
  assert.deepEqual(b.x, a.x.slice(0, b.x.length), 'the shorter run sits on the same grid');
  assert.equal(a.last[0], 1 / 20, 'step bucket 0 holds steps 0..19; last is step 19');
  const zoomed = await source.answer({ runIds: ids, key: 'loss', x: 'step', buckets: 50, range: [100, 199] });
  assert.equal(zoomed[0].x[0], 99, 'the point just left of the range comes along');
  const missing = await source.answer({ runIds: [ids[0], 'nope'], key: 'accuracy', x: 'step', buckets: 100 });
  assert.deepEqual(missing.map((s) => s.x.length), [0, 0], 'an unknown key or run gives empty series, not an error');
  assert.deepEqual(await source.keys([...ids, 'nope']), ['loss']);
});

test('keeps finished runs in memory within its point budget; forget drops one', async (t) => {
  const { store, ids, metricsFile } = storeWithRuns(t, [2000, 2000]);
  const source = new HistoryBuckets(store, 3000);
  await source.answer({ runIds: [ids[0]], key: 'loss', x: 'step', buckets: 10 });
  unlinkSync(metricsFile(ids[0]));
  const cached = await source.answer({ runIds: [ids[0]], key: 'loss', x: 'step', buckets: 10 });
  assert.equal(cached[0].x.length, 10, 'answered from memory after the file went');
  // A second run pushes the first out of the 3,000-point budget: it is read again (and its file is gone).
  await source.answer({ runIds: [ids[1]], key: 'loss', x: 'step', buckets: 10 });
  const reread = await source.answer({ runIds: [ids[0]], key: 'loss', x: 'step', buckets: 10 });
  assert.equal(reread[0].x.length, 0);
  unlinkSync(metricsFile(ids[1]));
  source.forget(ids[1]);
  assert.equal((await source.answer({ runIds: [ids[1]], key: 'loss', x: 'step', buckets: 10 }))[0].x.length, 0);
});

test('clamps the bucket count a webview asks for', async (t) => {
  const { store, ids } = storeWithRuns(t, [10_000]);
  const source = new HistoryBuckets(store);
  const [huge] = await source.answer({ runIds: ids, key: 'loss', x: 'step', buckets: 1e9 });
  assert.ok(huge.x.length <= 4096, `${huge.x.length}`);
  const [none] = await source.answer({ runIds: ids, key: 'loss', x: 'step', buckets: Number.NaN });
  assert.equal(none.x.length, 1);
});

test('the store reads one key of a run and lists its keys without its points; a key appended since is listed', async (t) => {
  const { store, ids, metricsFile } = storeWithRuns(t, [300]);
  const full = await store.get(ids[0]);
  const one = await store.get(ids[0], 'loss');
  assert.deepEqual(Object.keys(one!.histories), ['loss']);
  assert.deepEqual(one!.histories.loss, full!.histories.loss);
  assert.deepEqual(Object.keys((await store.get(ids[0], 'nope'))!.histories), []);
  assert.deepEqual(await store.historyKeys(ids[0]), ['loss']);
  appendFileSync(metricsFile(ids[0]), JSON.stringify({ step: 'train', name: 'auc', index: 0, value: 0.7, time: Date.UTC(2026, 0, 2) }) + '\n');
  assert.deepEqual(await store.historyKeys(ids[0]), ['auc', 'loss']);
  assert.deepEqual(await store.historyKeys('nope'), []);
});
