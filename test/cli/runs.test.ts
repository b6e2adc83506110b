// `flowbench runs` with --filter/--sort/--columns/--starred, and runs star/unstar/delete, on a real
// run store written through the recorder and the real bundled CLI.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openRunStore } from '../../core/runs/store';
import type { RunSummary } from '../../core/runs/types';
import { fakeRun } from '../runs/fake-run';
import { ensureBuilt, flowbench, project } from './harness';

before(() => ensureBuilt());

const FLOW = 'flow: demo\nsteps:\n  train:\n    run: echo train\n';

/** Five runs a minute apart, newest last: lr and auc vary, one fails, one has a NaN auc. */
function recorded(t: { after: (fn: () => void) => void }): { dir: string; ids: string[] } {
  const dir = project(t, { 'demo.flow.yaml': FLOW });
  const store = openRunStore(join(dir, '.flowbench'), { fsync: false });
  const runs = [
    { lr: 0.1, model: 'gbm', auc: 0.71 },
    { lr: 0.01, model: 'linear', auc: 0.9 },
    { lr: 0.001, model: 'gbm', auc: 0.65 },
    { lr: 0.01, model: 'gbm', auc: NaN },
    { lr: 0.05, model: 'gbm', auc: 0.8 },
  ];
  const ids = runs.map((r, i) => {
    const runId = `20261124-01000${i}-a00${i}`;
    const rec = store.recorder();
    const start = Date.UTC(2026, 10, 24, 1, i);
    for (const e of fakeRun({ runId, start, params: { lr: r.lr, model: r.model }, steps: ['train'], metrics: { train: { auc: r.auc } }, failStep: i === 2 ? 'train' : undefined })) rec(e);
    return runId;
  });
  return { dir, ids };
}

test('--filter, --sort and --columns select and order runs with the panel\'s language', (t) => {
  const { dir, ids } = recorded(t);
  const res = flowbench(dir, ['runs', '--filter', 'params.model = gbm and metrics.auc > 0.7', '--sort', 'metrics.auc desc', '--columns', 'params.lr, metrics.auc, status']);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  assert.match(lines[0], /^RUN\s+PARAMS\.LR\s+METRICS\.AUC\s+STATUS$/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)), [
    [ids[4], '0.05', '0.8', 'succeeded'],
    [ids[0], '0.1', '0.71', 'succeeded'],
  ]);

  const json = flowbench(dir, ['runs', '--sort', 'metrics.auc', '--columns', 'metrics.auc', '--json']);
  assert.deepEqual(JSON.parse(json.stdout), [
    { id: ids[2], 'metrics.auc': 0.65 },
    { id: ids[0], 'metrics.auc': 0.71 },
    { id: ids[4], 'metrics.auc': 0.8 },
    { id: ids[1], 'metrics.auc': 0.9 },
    { id: ids[3], 'metrics.auc': 'NaN' },
  ], 'NaN sorts last and prints as "NaN"');

  const summaries = JSON.parse(flowbench(dir, ['runs', '--status', 'failed', '--json']).stdout) as RunSummary[];
  assert.deepEqual(summaries.map((s) => s.id), [ids[2]]);
  assert.deepEqual(summaries[0].params, { lr: 0.001, model: 'gbm' });

  const limited = flowbench(dir, ['runs', '--filter', 'params.lr <= 0.01', '--limit', '2']);
  assert.match(limited.stdout, /2 of 3 runs shown/);
  assert.match(flowbench(dir, ['runs', '--filter', 'metrics.auc > 5']).stdout, /No runs match \(5 recorded\)/);
});

test('parse errors print the message, the text and a caret under the position, exit 2', (t) => {
  const { dir } = recorded(t);
  const res = flowbench(dir, ['runs', '--filter', 'params.model = gbm and metrics.acu > 0.7']);
  assert.equal(res.code, 2);
  assert.equal(res.stdout, '');
  const lines = res.stderr.split('\n');
  assert.equal(lines[0], `flowbench: --filter: unknown column 'metrics.acu'; did you mean 'metrics.auc'?`);
  assert.equal(lines[1], '  params.model = gbm and metrics.acu > 0.7');
  assert.equal(lines[2], '                         ^^^^^^^^^^^');

  const open = flowbench(dir, ['runs', '--filter', '(status = failed']);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /'\(' is never closed\n {2}\(status = failed\n {2}\^{16}\n/);

  const sort = flowbench(dir, ['runs', '--sort', 'metrics.auc down']);
  assert.equal(sort.code, 2);
  assert.match(sort.stderr, /--sort: expected ',' or the end after 'metrics\.auc', found 'down'\n {2}metrics\.auc down\n {14}\^{4}/);
  assert.equal(flowbench(dir, ['runs', '--columns', 'params.lrr']).code, 2);
});

test('star and unstar by id prefix; --starred lists only starred runs', (t) => {
  const { dir, ids } = recorded(t);
  const star = flowbench(dir, ['runs', 'star', ids[1].slice(0, 17)]);
  assert.equal(star.code, 0, star.stderr);
  assert.equal(star.stdout.trim(), `Starred run ${ids[1]}.`);
  assert.equal(flowbench(dir, ['runs', 'star', ids[3]]).code, 0);
  const starred = flowbench(dir, ['runs', '--starred']);
  assert.deepEqual(starred.stdout.trim().split('\n').slice(1).map((l) => l.split(' ')[0]), [ids[3], ids[1]]);
  assert.match(starred.stdout, new RegExp(`^${ids[3]} ★`, 'm'));
  assert.equal(flowbench(dir, ['runs', 'unstar', ids[3]]).code, 0);
  assert.deepEqual((JSON.parse(flowbench(dir, ['runs', '--starred', '--json']).stdout) as RunSummary[]).map((s) => s.id), [ids[1]]);

  const ambiguous = flowbench(dir, ['runs', 'star', '2026']);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.stderr, /ambiguous/);
  const missing = flowbench(dir, ['runs', 'star']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /RUN is missing/);
});

test('delete asks first, takes --yes, and refuses a running run', (t) => {
  const { dir, ids } = recorded(t);
  const declined = flowbench(dir, ['runs', 'delete', ids[0]]);
  assert.equal(declined.code, 1);
  assert.match(declined.stderr, /Delete run \S+ \(succeeded, started .*\)\? Its record, metric histories and logs go; cached outputs stay\. \[y\/N\]/);
  assert.match(declined.stderr, /Nothing deleted\./);
  assert.equal(flowbench(dir, ['runs', 'delete', ids[0]], 60_000, 'n\n').code, 1);
  assert.ok(existsSync(join(dir, '.flowbench', 'runs', ids[0])));

  const yes = flowbench(dir, ['runs', 'delete', ids[0]], 60_000, 'y\n');
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(yes.stdout, new RegExp(`Deleted run ${ids[0]}`));
  assert.equal(flowbench(dir, ['runs', 'delete', ids[1].slice(0, 17), '--yes']).code, 0);
  const left = (JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as RunSummary[]).map((s) => s.id);
  assert.deepEqual(left, [ids[4], ids[3], ids[2]]);
  assert.equal(flowbench(dir, ['runs', 'delete', ids[0], '--yes']).code, 2, 'gone already');

  // A run still being written by this (alive) test process.
  const store = openRunStore(join(dir, '.flowbench'));
  const running = '20261124-020000-b0b0';
  const events = fakeRun({ runId: running, steps: ['train'], start: Date.UTC(2026, 10, 24, 2) });
  const rec = store.recorder();
  rec(events[0]);
  rec(events[1]);
  const refused = flowbench(dir, ['runs', 'delete', running, '--yes']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /run 20261124-020000-b0b0 is still running; stop it first/);
  assert.ok(existsSync(join(dir, '.flowbench', 'runs', running)));
  for (const e of events.slice(2)) rec(e);
});

test('a hand-edited index line: the good runs are listed and the skipped part is named', (t) => {
  const { dir, ids } = recorded(t);
  appendFileSync(join(dir, '.flowbench', 'runs', 'index.jsonl'),
    JSON.stringify({ id: ids[4], flow: 'demo', start: Date.UTC(2026, 10, 24, 1, 4), status: 'succeeded', params: 'lr=0.05', metrics: { auc: 'n/a' }, counts: { ran: 1, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 }, overrides: {}, code: { dirty: false } }) + '\n');
  const res = flowbench(dir, ['runs', '--columns', 'metrics.auc, params.lr', '--sort', 'metrics.auc']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, new RegExp(`warning: skipped 1 unreadable value \\(run ${ids[4]}: params is not an object\\)`));
  const rows = res.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows.map((r) => r[0]), [ids[2], ids[0], ids[1], ids[4], ids[3]]);
  assert.deepEqual(rows.at(-1), [ids[3], 'NaN', '0.01']);
  assert.deepEqual(rows.at(-2), [ids[4], 'n/a'], 'a text metric shows as text, after the numbers, before NaN');
});
