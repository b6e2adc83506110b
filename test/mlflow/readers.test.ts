// The three MLflow readers (mlruns/ folder, mlflow.db, tracking server) on the same runs, written the way
// MLflow writes them: every reader gives the same summaries and histories, and bad input gives notes or
// one clear error, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlflowRunSet } from '../../core/mlflow/collect';
import { fileStoreReader } from '../../core/mlflow/file-store';
import { findTrackingLocations, parseTrackingUri } from '../../core/mlflow/locate';
import { MlflowError, type MlflowReader } from '../../core/mlflow/model';
import { restReader } from '../../core/mlflow/rest';
import { sqliteReader } from '../../core/mlflow/sqlite-store';
import { RunTable } from '../../core/runs/table';
import { parseFilter } from '../../core/runs/query';
import { tempProject } from '../helpers/project';
import { sampleExperiments, writeFileStore, writeSqliteStore } from './fixtures';
import { startMlflowServer } from './server';

const OWL = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

async function expectSampleRuns(reader: MlflowReader): Promise<void> {
  const set = mlflowRunSet([reader]);
  const { summaries, notes } = await set.load();
  assert.deepEqual(notes, []);
  const byId = new Map(summaries.map((s) => [s.id, s]));
  // Deleted run, deleted experiment left out.
  assert.deepEqual([...byId.keys()].sort(), ['mlflow:1234567890abcdef1234567890abcdef', `mlflow:${OWL}`, 'mlflow:ffeeddccbbaa99887766554433221100']);
  const owl = byId.get(`mlflow:${OWL}`)!;
  assert.equal(owl.source, 'mlflow');
  assert.equal(owl.flow, 'churn');
  assert.equal(owl.flowFile, reader.uri);
  assert.equal(owl.status, 'succeeded');
  assert.equal(owl.durationMs, 60_000);
  assert.deepEqual(owl.params, { lr: 0.01, model: 'gbm', epochs: 8 });
  // The latest point is the highest step, whatever order it was logged in.
  assert.deepEqual(owl.metrics, { auc: 0.9, 'train/loss': 0.3 });
  assert.equal(owl.code.commit, 'abc123');
  const failed = byId.get('mlflow:ffeeddccbbaa99887766554433221100')!;
  assert.equal(failed.status, 'failed');
  assert.ok(Number.isNaN(failed.metrics.auc));
  assert.equal(byId.get('mlflow:1234567890abcdef1234567890abcdef')!.status, 'running');
  assert.equal(byId.get('mlflow:1234567890abcdef1234567890abcdef')!.flow, 'forecast');

  const record = await set.record(`mlflow:${OWL}`);
  assert.ok(record);
  assert.deepEqual(Object.keys(record.histories), ['train/loss'], 'single-point metrics are not histories');
  assert.deepEqual(record.histories['train/loss']!.map((p) => [p.index, p.value]), [[0, 0.9], [1, 0.5], [2, 0.3]]);
  assert.equal(await set.record('mlflow:nope'), undefined);

  // Into the panel's table: labelled, filterable by source and by numeric params.
  const table = RunTable.fromSummaries(summaries);
  const view = table.select({ filter: parseFilter('source = mlflow and params.lr < 0.05').filter });
  assert.deepEqual(table.rows(view, 0, 10, ['source', 'flow']), [{ id: `mlflow:${OWL}`, cells: ['mlflow', 'churn'] }]);
}

test('mlruns/ file store: runs, params, nested metric keys, histories; .trash and deleted runs left out', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  writeFileStore(p.path('mlruns'), sampleExperiments());
  await expectSampleRuns(fileStoreReader(p.path('mlruns')));
});

test('mlflow.db in MLflow\'s SQLite schema: the same runs', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  writeSqliteStore(p.path('mlflow.db'), sampleExperiments());
  const reader = await sqliteReader(p.path('mlflow.db'));
  t.after(() => reader.close?.());
  await expectSampleRuns(reader);
});

test('tracking server over REST: the same runs, every page of every listing fetched', async (t) => {
  const server = await startMlflowServer({ experiments: sampleExperiments(), pageSize: 1 });
  t.after(() => server.close());
  await expectSampleRuns(restReader(server.url));
  const searches = server.calls.filter((c) => c.endpoint === 'runs/search');
  // 3 live runs at one per page: 3 pages, each after the first asking for the token the last one gave;
  // twice, because asking for an unknown run reloads the listing.
  assert.equal(searches.length, 6);
  assert.deepEqual(searches.map((c) => c.body.page_token === undefined), [true, false, false, true, false, false]);
  assert.notEqual(searches[1]!.body.page_token, searches[2]!.body.page_token);
  assert.deepEqual(searches[0]!.body.experiment_ids, ['1', '2']);
  assert.equal(server.calls.filter((c) => c.endpoint === 'experiments/search').length, 4, 'two live experiments, one per page, twice');
  const history = server.calls.filter((c) => c.endpoint === 'metrics/get-history' && c.body.metric_key === 'train/loss');
  assert.equal(history.length, 3, 'three points, one per page');
  assert.equal(history[0]!.method, 'GET');
  assert.equal(history[0]!.body.run_id, OWL);
});

test('file store: a torn meta.yaml and a non-numeric metric line are skipped with notes naming the file', async (t) => {
  const p = tempProject();
  t.after(() => p.remove());
  const root = p.path('mlruns');
  writeFileStore(root, sampleExperiments());
  writeFileSync(join(root, '1', 'ffeeddccbbaa99887766554433221100', 'meta.yaml'), 'artifact_uri: file:///x\nrun_id: [unterminated\n');
  appendFileSync(join(root, '1', OWL, 'metrics', 'train', 'loss'), '1764500000000 oops 3\n');
  mkdirSync(join(root, '2', 'abandoned'), { recursive: true });
  const { summaries, notes } = await mlflowRunSet([fileStoreReader(root)]).load();
  assert.deepEqual(summaries.map((s) => s.id).sort(), ['mlflow:1234567890abcdef1234567890abcdef', `mlflow:${OWL}`]);
  assert.equal(summaries.find((s) => s.id === `mlflow:${OWL}`)!.metrics['train/loss'], 0.3, 'the good lines still count');
  assert.equal(notes.length, 3, notes.join('\n'));
  assert.match(notes.find((n) => n.includes('ffeedd'))!, /^1\/ffeeddccbbaa99887766554433221100\/meta\.yaml: is not valid YAML .*skipped/);
  assert.match(notes.find((n) => n.includes('loss'))!, /^1\/a1b2.*\/metrics\/train\/loss: line 4: '1764500000000 oops 3' is not 'timestamp value \[step\]'; line skipped$/);
  assert.match(notes.find((n) => n.includes('abandoned'))!, /^2\/abandoned\/meta\.yaml: meta\.yaml is missing; skipped$/);
});

test('a missing folder, a file that is not a database, and one that is not MLflow\'s: one clear error each', async (t) => {
  const p = tempProject({ 'notes.db': 'just text, not SQLite at all, long enough to have a header' });
  t.after(() => p.remove());
  await assert.rejects(fileStoreReader(p.path('mlruns')).list(), (err: MlflowError) => err instanceof MlflowError && /cannot read the MLflow folder .*mlruns: it does not exist/.test(err.message) && /--mlflow/.test(err.remedy!));
  await assert.rejects(sqliteReader(p.path('notes.db')), (err: MlflowError) => err instanceof MlflowError && /notes\.db is not an SQLite database/.test(err.message));
  await assert.rejects(sqliteReader(p.path('absent.db')), (err: MlflowError) => err instanceof MlflowError && /cannot open .*absent\.db/.test(err.message));
  const Database = (await import('better-sqlite3')).default;
  const other = new Database(p.path('other.db'));
  other.exec('CREATE TABLE runs (id TEXT)');
  other.close();
  await assert.rejects(sqliteReader(p.path('other.db')), (err: MlflowError) => /is not an MLflow tracking database \(no experiments, params, tags, metrics, latest_metrics tables\)/.test(err.message));
});

test('server: 401 says where the token goes; the token is sent as a bearer token', async (t) => {
  const server = await startMlflowServer({ experiments: sampleExperiments(), token: 's3cret' });
  t.after(() => server.close());
  await assert.rejects(restReader(server.url, { tokenHint: 'run "Flowbench: Set MLflow Token"' }).list(), (err: MlflowError) =>
    /refused experiments\/search \(401 Unauthorized\): it needs a token/.test(err.message) && err.remedy === 'run "Flowbench: Set MLflow Token"');
  await assert.rejects(restReader(server.url, { token: 'wrong' }).list(), (err: MlflowError) => /401 Unauthorized\): the token was not accepted/.test(err.message) && /MLFLOW_TRACKING_TOKEN/.test(err.remedy!));
  const { summaries } = await mlflowRunSet([restReader(server.url, { token: 's3cret' })]).load();
  assert.equal(summaries.length, 3);
});

test('server: unreachable and silent servers end in a clear error, not a hang', async (t) => {
  const gone = await startMlflowServer();
  const url = gone.url;
  await gone.close();
  await assert.rejects(restReader(url).list(), (err: MlflowError) => err instanceof MlflowError && /cannot reach the MLflow tracking server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/.test(err.message) && /mlflow server/.test(err.remedy!));
  const silent = await startMlflowServer({ hang: true });
  t.after(() => silent.close());
  await assert.rejects(restReader(silent.url, { timeoutMs: 300 }).list(), (err: MlflowError) => /the MLflow tracking server at http:\/\/127\.0\.0\.1:\d+ did not answer experiments\/search within 0 s/.test(err.message));
});

test('where to look: --mlflow first, then MLFLOW_TRACKING_URI, then ./mlruns and ./mlflow.db', (t) => {
  const p = tempProject({ 'mlflow.db': '' });
  t.after(() => p.remove());
  mkdirSync(p.path('mlruns'));
  assert.deepEqual(findTrackingLocations({ explicit: 'http://127.0.0.1:5000/', env: { MLFLOW_TRACKING_URI: 'sqlite:///x.db' }, folders: [p.root] }), [{ kind: 'rest', url: 'http://127.0.0.1:5000', uri: 'http://127.0.0.1:5000/' }]);
  assert.deepEqual(findTrackingLocations({ env: { MLFLOW_TRACKING_URI: 'sqlite:///x.db' }, folders: [p.root] }), [{ kind: 'sqlite', file: join(p.root, 'x.db'), uri: 'sqlite:///x.db' }]);
  assert.deepEqual(findTrackingLocations({ env: {}, folders: [p.root] }).map((l) => l.kind), ['file', 'sqlite']);
  assert.deepEqual(findTrackingLocations({ env: {}, folders: [p.path('mlruns')] }), []);
  assert.deepEqual(parseTrackingUri('sqlite:////abs/mlflow.db', p.root), { kind: 'sqlite', file: '/abs/mlflow.db', uri: 'sqlite:////abs/mlflow.db' });
  assert.deepEqual(parseTrackingUri('file:///srv/mlruns', p.root), { kind: 'file', dir: '/srv/mlruns', uri: 'file:///srv/mlruns' });
  assert.equal(parseTrackingUri('./mlruns', p.root).kind, 'file');
  assert.throws(() => parseTrackingUri('databricks://profile', p.root), /uses a store Flowbench does not read/);
});
