// flowbench runs into MLflow and back: to a tracking server (runs/create, log-batch within MLflow's limits,
// runs/update) and to an mlruns/ folder; re-reading gives the same params, final metrics and histories;
// a second export finds its runs by the flowbench.run_id tag and creates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mlflowRunSet } from '../../core/mlflow/collect';
import { batches, exportContent, exportToServer } from '../../core/mlflow/export';
import { fileStoreReader } from '../../core/mlflow/file-store';
import { exportToFolder } from '../../core/mlflow/file-store-write';
import { MlflowRest, restReader } from '../../core/mlflow/rest';
import { openRunStore } from '../../core/runs/store';
import type { RunRecord } from '../../core/runs/types';
import { tempProject } from '../helpers/project';
import { fakeRun } from '../runs/fake-run';
import { startMlflowServer } from './server';

async function records(t: { after: (fn: () => void) => void }): Promise<RunRecord[]> {
  const p = tempProject();
  t.after(() => p.remove());
  const store = openRunStore(p.path('.flowbench'), { fsync: false });
  const runs = [
    { runId: '20261130-090000-aaaa', params: { lr: 0.01, model: 'gbm', layers: [64, 32] }, auc: 0.91, loss: Array.from({ length: 1500 }, (_, i) => 1 / (i + 1)) },
    { runId: '20261130-091000-bbbb', params: { lr: 0.1, model: 'linear', layers: [8] }, auc: NaN, loss: [0.9, 0.7] , fail: true },
  ];
  for (const [i, r] of runs.entries()) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId: r.runId, start: Date.UTC(2026, 10, 30, 9, i * 10), params: r.params, steps: ['train', 'evaluate'], metrics: { evaluate: { auc: r.auc } }, histories: { train: { loss: r.loss } }, failStep: r.fail ? 'evaluate' : undefined })) rec(e);
  }
  return Promise.all(runs.map(async (r) => (await store.get(r.runId))!));
}

function assertRoundTrip(original: RunRecord[], back: RunRecord[], uri: string): void {
  assert.equal(back.length, original.length);
  for (const rec of original) {
    const got = back.find((b) => b.flow === rec.flow && b.start === rec.start)!;
    assert.ok(got, `run ${rec.id} came back`);
    assert.equal(got.source, 'mlflow');
    assert.equal(got.flowFile, uri);
    assert.equal(got.status, rec.status);
    assert.equal(got.end, rec.end);
    assert.deepEqual(got.params, { lr: rec.params.lr, model: rec.params.model, layers: JSON.stringify(rec.params.layers) }, 'numbers read back as numbers, the rest as text');
    // MLflow has a latest value for every metric it logged: a history's is its last point.
    assert.deepEqual(Object.keys(got.metrics).sort(), [...new Set([...Object.keys(rec.metrics), ...Object.keys(rec.histories)])].sort());
    // The record keeps NaN as null (JSON): MLflow gives it back as NaN.
    for (const [k, v] of Object.entries(rec.metrics)) assert.ok(Object.is(got.metrics[k], v ?? NaN), `${k}: ${got.metrics[k]} vs ${v}`);
    assert.equal(got.metrics.loss, rec.histories.loss!.at(-1)!.value);
    assert.deepEqual(got.histories.loss!.map((p) => [p.index, p.value, p.time]), rec.histories.loss!.map((p) => [p.index, p.value, p.time]));
    assert.equal(got.code.commit, rec.code.commit);
  }
}

test('export to a tracking server: batches within MLflow\'s limits, re-import round-trips, a second export adds nothing', async (t) => {
  const recs = await records(t);
  const server = await startMlflowServer({ pageSize: 500 });
  t.after(() => server.close());
  const api = new MlflowRest(server.url);
  const first = await exportToServer(api, recs);
  assert.deepEqual(first.map((r) => r.result), ['exported', 'exported']);
  const batchCalls = server.calls.filter((c) => c.endpoint === 'runs/log-batch');
  // 1,500 history points + final metrics in the first run: more than one batch of at most 1,000 entities.
  assert.ok(batchCalls.length >= 3, `${batchCalls.length} log-batch calls`);
  for (const c of batchCalls) {
    const [m, p, g] = [c.body.metrics, c.body.params, c.body.tags].map((list) => (list as unknown[]).length);
    assert.ok(m! <= 1000 && p! <= 100 && g! <= 100 && m! + p! + g! <= 1000);
  }
  assert.deepEqual(server.calls.filter((c) => c.endpoint === 'runs/update').map((c) => c.body.status), ['FINISHED', 'FAILED']);
  assert.equal(server.calls.filter((c) => c.endpoint === 'experiments/create').length, 1, 'one experiment per flow');
  const set = mlflowRunSet([restReader(server.url)]);
  const { summaries } = await set.load();
  const back = await Promise.all(summaries.map(async (s) => (await set.record(s.id))!));
  assertRoundTrip(recs, back, server.url);

  const creates = server.calls.filter((c) => c.endpoint === 'runs/create').length;
  const again = await exportToServer(api, recs);
  assert.deepEqual(again.map((r) => r.result), ['present', 'present']);
  assert.deepEqual(again.map((r) => r.mlflowRunId), first.map((r) => r.mlflowRunId));
  assert.equal(server.calls.filter((c) => c.endpoint === 'runs/create').length, creates, 'no new run');
  assert.equal((await restReader(server.url).list()).runs.length, 2);
});

test('export to a server: a run left RUNNING by a cut-off export is replaced, not duplicated', async (t) => {
  const recs = await records(t);
  const server = await startMlflowServer();
  t.after(() => server.close());
  const api = new MlflowRest(server.url);
  await exportToServer(api, recs.slice(0, 1));
  const [half] = [...server.runs.values()];
  half!.info.status = 'RUNNING';
  const out = await exportToServer(api, recs.slice(0, 1));
  assert.equal(out[0]!.result, 'exported');
  assert.equal(half!.info.lifecycle_stage, 'deleted');
  assert.equal((await restReader(server.url).list()).runs.length, 1);
});

test('export to an mlruns/ folder: MLflow\'s layout, re-import round-trips, a second export adds nothing', async (t) => {
  const recs = await records(t);
  const p = tempProject();
  t.after(() => p.remove());
  const root = p.path('mlruns');
  const first = await exportToFolder(root, recs);
  assert.deepEqual(first.map((r) => r.result), ['exported', 'exported']);
  const [exp] = readdirSync(root);
  assert.equal(exp, '1');
  const runDir = join(root, exp!, first[0]!.mlflowRunId!);
  assert.deepEqual(readdirSync(runDir).sort(), ['artifacts', 'meta.yaml', 'metrics', 'params', 'tags']);
  assert.ok(readdirSync(join(root, exp!)).every((name) => !name.startsWith('.flowbench-export')), 'no temp folder left');
  const set = mlflowRunSet([fileStoreReader(root)]);
  const { summaries, notes } = await set.load();
  assert.deepEqual(notes, []);
  assertRoundTrip(recs, await Promise.all(summaries.map(async (s) => (await set.record(s.id))!)), root);
  const again = await exportToFolder(root, recs);
  assert.deepEqual(again.map((r) => r.result), ['present', 'present']);
  assert.equal(readdirSync(join(root, exp!)).filter((n) => n !== 'meta.yaml').length, 2);
});

test('what MLflow would refuse is left out with a note, and batches split by every limit', () => {
  const record = {
    id: 'r', flow: 'f', flowFile: '/f.flow.yaml', status: 'succeeded', start: 1, end: 2, code: { dirty: false }, overrides: {}, steps: {}, artifacts: [],
    params: { ok: 1, 'bad\nname': 2, long: 'x'.repeat(7000), ...Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i])) },
    metrics: { '../escape': 1, fine: 2 }, histories: {}, writer: { pid: 0, hostname: '' }, updated: 2, version: 1,
  } as unknown as RunRecord;
  const content = exportContent(record);
  assert.deepEqual(content.notes, ["param 'bad\nname' has a name MLflow refuses; left out", "param 'long' is longer than MLflow's 6000 characters; left out", "metric '../escape' has a name MLflow refuses; left out"]);
  const parts = batches(content);
  assert.deepEqual(parts.map((b) => b.params.length), [100, 100, 51]);
  assert.equal(parts.flatMap((b) => b.metrics).length, 1);
});
