// The experiments panel's MLflow source: runs from a server read in-process, from an mlruns/ folder and an
// mlflow.db through a long-lived CLI child per location; composed with the workspace's runs; read-only; a
// location that cannot be read is a note in the panel, not a failed load. (The background read, the cache
// and the merge: test/mlflow/panel-source.test.ts.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrackingUri } from '../../core/mlflow/locate';
import { openRunStore } from '../../core/runs/store';
import { ExperimentsController } from '../../extension/panels/experiments-controller';
import { mlflowRuns, READ_ONLY, withMlflow } from '../../extension/panels/mlflow-runs';
import { workspaceRuns } from '../../extension/panels/workspace-runs';
import { cli, ensureBuilt, project } from '../cli/harness';
import { sampleExperiments, writeFileStore, writeSqliteStore } from '../mlflow/fixtures';
import { loadSettled, postBox, tableSink } from '../mlflow/service';
import { startMlflowServer } from '../mlflow/server';
import { fakeRun } from '../runs/fake-run';
import { Ready, RESPONSE, type WireMessage } from '../../webviews/platform/protocol';
import { GetCompareRuns, GetHistories, ResultChanged } from '../../webviews/experiments/contract';
import type { CompareRun } from '../../webviews/experiments/compare/types';
import type { SeriesBuckets } from '../../core/runs/series';

before(() => ensureBuilt());

const OWL = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

test('MLflow runs from a folder, a database (via the CLI) and a server join the workspace\'s runs, labelled and read-only', async (t) => {
  const dir = project(t, {});
  writeFileStore(join(dir, 'mlruns'), sampleExperiments().slice(0, 1));
  writeSqliteStore(join(dir, 'mlflow.db'), sampleExperiments().slice(1, 2));
  const server = await startMlflowServer({ experiments: [{ id: '7', name: 'remote', runs: [{ runId: 'cafe'.repeat(8), status: 'FINISHED', start: 5, end: 9, params: { k: '3' }, tags: {}, metrics: { m: [{ step: 0, timestamp: 6, value: 1 }, { step: 1, timestamp: 7, value: 2 }] } }] }], token: 'tok' });
  t.after(() => server.close());
  const store = openRunStore(join(dir, '.flowbench'), { fsync: false });
  const rec = store.recorder();
  for (const e of fakeRun({ runId: '20261130-090000-aaaa', steps: ['train'] })) rec(e);
  const gone = 'http://127.0.0.1:9';
  let uris = [join(dir, 'mlruns'), `sqlite:///${join(dir, 'mlflow.db')}`, server.url, gone];
  const mlflow = mlflowRuns({
    locations: () => uris.map((u) => parseTrackingUri(u, dir)),
    token: async () => 'tok',
    tokenHint: 'run "Flowbench: Set MLflow Token"',
    cli: { nodePath: process.execPath, cliPath: cli, cwd: dir },
    timeoutMs: 5000,
  });
  const own = workspaceRuns(() => [join(dir, '.flowbench')], () => undefined);
  const source = withMlflow(own, mlflow);
  t.after(() => source.dispose!());
  const { sink, table, ids } = tableSink();
  const { notes } = await loadSettled(source, sink);
  const bySource = table.rows(Int32Array.from(ids().map((id) => table.rowOf(id)!)), 0, 99, ['source', 'flow']).map((r) => `${r.cells[0] ?? 'flowbench'} ${r.cells[1]} ${r.id}`).sort();
  assert.deepEqual(bySource, [
    'flowbench demo 20261130-090000-aaaa',
    `mlflow churn mlflow:${OWL}`,
    'mlflow churn mlflow:ffeeddccbbaa99887766554433221100',
    'mlflow forecast mlflow:1234567890abcdef1234567890abcdef',
    `mlflow remote mlflow:${'cafe'.repeat(8)}`,
  ]);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^MLflow runs from http:\/\/127\.0\.0\.1:9 are not shown: cannot reach the MLflow tracking server/);
  assert.ok(server.calls.length > 0);
  assert.ok(readdirSync(join(dir, '.flowbench', 'mlflow')).some((f) => f.startsWith('runs-')), 'the CLI ran in the workspace folder and indexed mlruns/ in its .flowbench/');
  assert.ok(readdirSync(join(dir, '.flowbench', 'mlflow')).filter((f) => f.endsWith('.table')).length === 2, 'a table each for mlruns/ and mlflow.db');

  // Records for the compare view's charts, each from where the run was listed.
  assert.deepEqual((await source.record(`mlflow:${OWL}`))!.histories['train/loss']!.map((p) => p.value), [0.9, 0.5, 0.3]);
  assert.equal((await source.record('mlflow:1234567890abcdef1234567890abcdef'))!.flow, 'forecast');
  assert.deepEqual((await source.record(`mlflow:${'cafe'.repeat(8)}`))!.histories.m!.map((p) => p.index), [0, 1]);
  assert.equal((await source.record('20261130-090000-aaaa'))!.flow, 'demo');

  await assert.rejects(source.star(`mlflow:${OWL}`, true), new RegExp(READ_ONLY.slice(0, 30)));
  await assert.rejects(source.remove(`mlflow:${OWL}`), /read-only/);
  await source.star('20261130-090000-aaaa', true);
  assert.deepEqual([...(await own.load(sink)).starred], ['20261130-090000-aaaa']);

  // A setting that names a store Flowbench cannot read is a note too.
  uris = ['databricks://profile'];
  const bad = await mlflow.load(sink);
  assert.deepEqual(ids(), ['20261130-090000-aaaa'], 'the MLflow runs listed before are dropped');
  assert.match(bad.notes[0]!, /^MLflow runs are not shown: tracking URI 'databricks:\/\/profile' uses a store Flowbench does not read/);
});

test('in the controller: a star or delete of an MLflow run is refused with the read-only message', async (t) => {
  const dir = project(t, {});
  writeFileStore(join(dir, 'mlruns'), sampleExperiments());
  const mlflow = mlflowRuns({ locations: () => [parseTrackingUri(join(dir, 'mlruns'), dir)], token: async () => undefined, tokenHint: '', cli: { nodePath: process.execPath, cliPath: cli, cwd: dir } });
  const actions = { run: async () => undefined, confirmDelete: async () => true, saveCsv: async () => undefined, saveExport: async () => undefined };
  const box = postBox();
  const controller = new ExperimentsController(box.post, mlflow, actions, {});
  t.after(() => controller.dispose());
  const joined = box.next(ResultChanged.method);
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  await joined;
  await assert.rejects(controller.setStarred(`mlflow:${OWL}`, true), /read-only/);
  await assert.rejects(controller.act(`mlflow:${OWL}`, 'delete'), /read-only/);
});

test('the compare view over an mlflow.db: the listing and the charts from one CLI child, buckets made there, NaN and ±∞ metrics as numbers, histories for every run', async (t) => {
  const dir = project(t, {});
  const runs = Array.from({ length: 12 }, (_, i) => ({
    runId: (i + 1).toString(16).padStart(32, '0'), status: 'FINISHED' as const, start: 1000 + i, end: 2000 + i, params: { i: String(i) }, tags: {},
    metrics: {
      loss: [0, 1, 2].map((step) => ({ step, timestamp: 1000 + step, value: step === 1 ? NaN : i + step })),
      final: [{ step: 0, timestamp: 1000, value: i === 0 ? Infinity : i === 1 ? -Infinity : i === 2 ? NaN : i }],
    },
  }));
  writeSqliteStore(join(dir, 'mlflow.db'), [{ id: '1', name: 'search', runs }]);
  // The CLI as the editor runs it, each start logged.
  const log = join(dir, 'cli-calls.log');
  const wrapper = join(dir, 'cli-logged.js');
  writeFileSync(wrapper, `require('fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(2, 3).join(' ') + '\\n'); require(${JSON.stringify(cli)});`);
  const mlflow = mlflowRuns({ locations: () => [parseTrackingUri(`sqlite:///${join(dir, 'mlflow.db')}`, dir)], token: async () => undefined, tokenHint: '', cli: { nodePath: process.execPath, cliPath: wrapper, cwd: dir } });
  const actions = { run: async () => undefined, confirmDelete: async () => false, saveCsv: async () => undefined, saveExport: async () => undefined };
  const { posted, post, next } = postBox();
  const controller = new ExperimentsController(post, mlflow, actions, {});
  t.after(() => controller.dispose());
  const joined = next(ResultChanged.method);
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  await joined;
  const ids = runs.map((r) => `mlflow:${r.runId}`);
  const ask = async (method: string, params: unknown, at: number) => {
    await controller.receive({ method, id: at, params });
    const answer = posted.find((m): m is Extract<WireMessage, { method: typeof RESPONSE }> => m.method === RESPONSE && m.id === at);
    assert.ok(answer && !answer.error, answer?.error);
    return answer.result;
  };
  const compare = (await ask(GetCompareRuns.method, { ids }, 1)) as { runs: CompareRun[]; historyKeys: string[] };
  assert.deepEqual(compare.historyKeys, ['loss']);
  const charts = (await ask(GetHistories.method, { runIds: ids, key: 'loss', x: 'step', buckets: 100 }, 2)) as SeriesBuckets[];
  assert.deepEqual(charts.map((s) => [s.runId, s.x, s.last, s.skipped]), runs.map((r, i) => [`mlflow:${r.runId}`, [0, 2], [i, i + 2], 1]));
  assert.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean), ['runs'], 'one child lists and answers the charts');
  // A row action reads the run's record from the same child.
  assert.equal((await mlflow.record(ids[3]!))!.histories.loss!.length, 3);
  assert.equal(readFileSync(log, 'utf8').split('\n').filter(Boolean).length, 1);
  // What the CLI printed as "Infinity", "-Infinity" and "NaN" is a number again in the panel.
  assert.deepEqual(compare.runs.slice(0, 4).map((r) => r.metrics.final), [{ nonFinite: 'Infinity' }, { nonFinite: '-Infinity' }, { nonFinite: 'NaN' }, 3]);
});
