// The real bundled CLI on MLflow stores: `runs --source mlflow` (filter/sort/columns as for Flowbench's
// runs), `show mlflow:ID`, `runs export --mlflow`, and what it says when a server cannot be used.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openRunStore } from '../../core/runs/store';
import { cli, ensureBuilt, flowbench, project, repo, startFlowbench } from '../cli/harness';
import { fakeRun } from '../runs/fake-run';
import { sampleExperiments, writeFileStore, writeSqliteStore } from './fixtures';
import { startMlflowServer } from './server';

before(() => ensureBuilt());

const OWL = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

test('runs --source mlflow: an mlruns/ folder through --filter, --sort and --columns', (t) => {
  const dir = project(t, {});
  writeFileStore(join(dir, 'mlruns'), sampleExperiments());
  const res = flowbench(dir, ['runs', '--source', 'mlflow', '--filter', 'flow = churn', '--sort', 'params.lr desc', '--columns', 'params.lr, metrics.auc, status, source']);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  assert.match(lines[0]!, /^RUN\s+PARAMS\.LR\s+METRICS\.AUC\s+STATUS\s+SOURCE$/);
  assert.match(lines[1]!, /^mlflow:ffeeddccbbaa99887766554433221100\s+0\.1\s+NaN\s+failed\s+mlflow$/);
  assert.match(lines[2]!, new RegExp(`^mlflow:${OWL}\\s+0\\.01\\s+0\\.9\\s+succeeded\\s+mlflow$`));
  assert.equal(lines.length, 3);
  const typo = flowbench(dir, ['runs', '--source', 'mlflow', '--filter', 'params.lrr < 1']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--filter: .*params\.lrr/);
});

test('runs --source mlflow finds ./mlflow.db by itself; show mlflow:ID prints the run with its histories', (t) => {
  const dir = project(t, {});
  writeSqliteStore(join(dir, 'mlflow.db'), sampleExperiments());
  const res = flowbench(dir, ['runs', '--source', 'mlflow', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const runs = JSON.parse(res.stdout) as { id: string; source: string; flow: string }[];
  assert.deepEqual(runs.map((r) => r.id).sort(), ['mlflow:1234567890abcdef1234567890abcdef', `mlflow:${OWL}`, 'mlflow:ffeeddccbbaa99887766554433221100']);
  assert.ok(runs.every((r) => r.source === 'mlflow'));
  const show = flowbench(dir, ['show', `mlflow:${OWL}`, '--json']);
  assert.equal(show.code, 0, show.stderr);
  const record = JSON.parse(show.stdout);
  assert.deepEqual(record.histories['train/loss'].map((p: { index: number }) => p.index), [0, 1, 2]);
  const text = flowbench(dir, ['show', `mlflow:${OWL}`]);
  assert.match(text.stdout, /Run mlflow:a1b2c3d4e5f60718293a4b5c6d7e8f90\s+succeeded/);
  assert.match(text.stdout, /train\/loss\s+3 points/);
});

test('an mlflow.db when better-sqlite3’s addon cannot be loaded (as under an editor’s Electron): one clear error, the remedy a server', (t) => {
  // An install of the CLI whose better-sqlite3 carries an addon this process cannot dlopen: the real
  // package's JavaScript, every other package as installed.
  const dir = project(t, {});
  writeSqliteStore(join(dir, 'mlflow.db'), sampleExperiments());
  const install = join(dir, 'install');
  mkdirSync(join(install, 'dist'), { recursive: true });
  copyFileSync(cli, join(install, 'dist', 'cli.js'));
  cpSync(join(dirname(cli), 'lazy'), join(install, 'dist', 'lazy'), { recursive: true });
  const modules = join(repo, 'node_modules');
  mkdirSync(join(install, 'node_modules'));
  for (const name of readdirSync(modules)) if (name !== 'better-sqlite3' && name !== '.bin') symlinkSync(join(modules, name), join(install, 'node_modules', name));
  const sqlite = join(install, 'node_modules', 'better-sqlite3');
  cpSync(join(modules, 'better-sqlite3', 'lib'), join(sqlite, 'lib'), { recursive: true });
  copyFileSync(join(modules, 'better-sqlite3', 'package.json'), join(sqlite, 'package.json'));
  mkdirSync(join(sqlite, 'build', 'Release'), { recursive: true });
  writeFileSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node'), 'not a shared object');
  const res = spawnSync(process.execPath, [join(install, 'dist', 'cli.js'), 'runs', '--source', 'mlflow', '--mlflow', 'sqlite:///mlflow.db'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(res.status, 1, res.stderr);
  assert.match(res.stderr, /^flowbench runs: reading .*mlflow\.db needs better-sqlite3, which cannot be loaded here \(.+\)\n\s+serve the database \(mlflow server --backend-store-uri sqlite:\/\/\/mlflow\.db\) and use its http:\/\/ address/);
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
});

test('runs --source mlflow with nothing to read, or a bad URI: a usage error with a remedy', (t) => {
  const dir = project(t, {});
  const none = flowbench(dir, ['runs', '--source', 'mlflow']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no MLflow runs to read here: MLFLOW_TRACKING_URI is not set and there is no \.\/mlruns or \.\/mlflow\.db\n\s+name one with --mlflow URI/);
  const bad = flowbench(dir, ['runs', '--mlflow', 'databricks://x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /tracking URI 'databricks:\/\/x' uses a store Flowbench does not read/);
});

test('runs export --mlflow URL twice: the runs once; an unauthorised server says where the token goes', async (t) => {
  const dir = project(t, { 'demo.flow.yaml': 'flow: demo\nsteps:\n  train:\n    run: echo train\n' });
  const store = openRunStore(join(dir, '.flowbench'), { fsync: false });
  for (const [i, runId] of ['20261130-090000-aaaa', '20261130-091000-bbbb'].entries()) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId, start: Date.UTC(2026, 10, 30, 9, i * 10), params: { lr: 0.1 * (i + 1) }, steps: ['train'], metrics: { train: { auc: 0.8 + i / 10 } }, histories: { train: { loss: [0.9, 0.5, 0.2] } } })) rec(e);
  }
  const server = await startMlflowServer();
  t.after(() => server.close());
  const first = await startFlowbench(dir, ['runs', 'export', '--mlflow', server.url]).done;
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /20261130-090000-aaaa: exported as MLflow run \w+/);
  assert.match(first.stdout, /2 exported, 0 already there, 0 skipped/);
  const second = await startFlowbench(dir, ['runs', 'export', '--mlflow', server.url, '20261130-0900']).done;
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /0 exported, 1 already there/);
  assert.equal(server.runs.size, 2);
  const listed = await startFlowbench(dir, ['runs', '--mlflow', server.url, '--json']).done;
  assert.deepEqual((JSON.parse(listed.stdout) as { params: { lr: number } }[]).map((r) => r.params.lr).sort(), [0.1, 0.2]);

  const locked = await startMlflowServer({ token: 'tok' });
  t.after(() => locked.close());
  const refused = await startFlowbench(dir, ['runs', '--source', 'mlflow', '--mlflow', locked.url]).done;
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused experiments\/search \(401 Unauthorized\): it needs a token\n\s+set MLFLOW_TRACKING_TOKEN/);
  assert.doesNotMatch(refused.stderr, /at .*\.js:\d+/, 'no stack trace');
  const allowed = await startFlowbench(dir, ['runs', '--source', 'mlflow', '--mlflow', locked.url], { MLFLOW_TRACKING_TOKEN: 'tok' }).done;
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /No MLflow runs found in http:\/\/127\.0\.0\.1:\d+\./);
  const gone = await startMlflowServer();
  await gone.close();
  const unreachable = await startFlowbench(dir, ['runs', 'export', '--mlflow', gone.url]).done;
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach the MLflow tracking server at .*\(ECONNREFUSED\)\n\s+start it/);
});

test('show mlflow:ID mlflow:ID --json: the runs found as one array, in the order asked, a warning for one not listed; NaN metrics as "NaN"', (t) => {
  const dir = project(t, {});
  writeSqliteStore(join(dir, 'mlflow.db'), sampleExperiments());
  const failed = 'mlflow:ffeeddccbbaa99887766554433221100';
  const res = flowbench(dir, ['show', failed, `mlflow:${OWL}`, 'mlflow:0000000000000000000000000000dead', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const records = JSON.parse(res.stdout) as { id: string; metrics: Record<string, unknown>; histories: Record<string, { index: number }[]> }[];
  assert.deepEqual(records.map((r) => r.id), [failed, `mlflow:${OWL}`]);
  assert.equal(records[0]!.metrics.auc, 'NaN');
  assert.deepEqual(records[1]!.histories['train/loss']!.map((p) => p.index), [0, 1, 2]);
  assert.match(res.stderr, /warning: no MLflow run 'mlflow:0000000000000000000000000000dead' is listed; left out/);
  const mixed = flowbench(dir, ['show', failed, '20261130-090000-aaaa']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /'20261130-090000-aaaa' is not an MLflow run id/);
});
