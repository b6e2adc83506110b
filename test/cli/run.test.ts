// `flowbench run`, `status`, `runs` and `show` on real child processes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord, RunSummary } from '../../core/runs/types';
import { ensureBuilt, flowbench, outcomes, parseEvents, project } from './harness';

before(() => ensureBuilt());

const PIPELINE = `flow: demo
params: { lr: 0.1, seed: 7 }
steps:
  prepare:
    run: echo "seed \${params.seed}" > data.txt
    outs: [data.txt]
  train:
    run: |
      echo "training with lr \${params.lr}"
      echo '{"name":"loss","value":0.9}' >> "$FLOWBENCH_METRICS_LOG"
      echo '{"name":"loss","value":0.4}' >> "$FLOWBENCH_METRICS_LOG"
      echo "model lr=\${params.lr}" > model.txt
      echo '{"accuracy": 0.8, "lr": \${params.lr}}' > metrics.json
    deps: [data.txt]
    outs: [model.txt]
    metrics: [metrics.json]
  report:
    run: cat model.txt > report.txt
    deps: [model.txt]
    outs: [report.txt]
`;

test('first run runs everything; the second does nothing and says so', (t) => {
  const dir = project(t, { 'demo.flow.yaml': PIPELINE });
  const first = flowbench(dir, ['run']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^\[train\] training with lr 0\.1$/m);
  assert.match(first.stdout, /^✓ train \d/m);
  assert.match(first.stdout, /^3 ran, 0 cached, 0 restored$/m);
  const id = /Run (\S+) succeeded/.exec(first.stdout)![1];
  assert.match(first.stdout, new RegExp(`flowbench show ${id}`));

  const second = flowbench(dir, ['run']);
  assert.equal(second.code, 0);
  assert.match(second.stdout, /^Nothing to do: all 3 steps up to date \(cached\)\.$/m);
  assert.match(second.stdout, /^○ prepare cached$/m);
});

test('--set re-runs only the affected steps; reverting restores without running', (t) => {
  const dir = project(t, { 'demo.flow.yaml': PIPELINE });
  assert.equal(flowbench(dir, ['run']).code, 0);

  const changed = flowbench(dir, ['run', '--events', '--set', 'lr=0.25']);
  assert.equal(changed.code, 0, changed.stderr);
  assert.deepEqual(outcomes(parseEvents(changed.stdout)), { prepare: 'cached', train: 'succeeded', report: 'succeeded' });
  assert.equal(readFileSync(join(dir, 'report.txt'), 'utf8').trim(), 'model lr=0.25');
  // The value parses as a YAML scalar: a number, not the string "0.25".
  const start = parseEvents(changed.stdout).find((e) => e.type === 'run-start');
  assert.equal(start?.type === 'run-start' && start.params.lr, 0.25);

  const reverted = flowbench(dir, ['run', '--events']);
  assert.equal(reverted.code, 0, reverted.stderr);
  assert.deepEqual(outcomes(parseEvents(reverted.stdout)), { prepare: 'cached', train: 'restored', report: 'restored' });
  assert.equal(readFileSync(join(dir, 'report.txt'), 'utf8').trim(), 'model lr=0.1');
  assert.match(reverted.stderr, /Nothing ran: all 3 steps up to date \(1 cached, 2 restored/);
});

test('--events prints only JSON events on stdout, human output on stderr', (t) => {
  const dir = project(t, { 'demo.flow.yaml': PIPELINE });
  const res = flowbench(dir, ['run', '--events']);
  assert.equal(res.code, 0, res.stderr);
  const events = parseEvents(res.stdout);
  assert.equal(events[0].type, 'run-start');
  assert.equal(events[events.length - 1].type, 'run-end');
  assert.ok(events.some((e) => e.type === 'step-log' && e.step === 'train' && e.text.includes('training with lr 0.1')));
  assert.deepEqual(events.filter((e) => e.type === 'metric').map((e) => e.type === 'metric' && e.value), [0.9, 0.4]);
  assert.match(res.stderr, /3 ran, 0 cached, 0 restored/);
});

test('runs --json and show --json return the recorded experiment', (t) => {
  const dir = project(t, { 'demo.flow.yaml': PIPELINE });
  assert.equal(flowbench(dir, ['run']).code, 0);
  assert.equal(flowbench(dir, ['run', '--set', 'lr=0.3']).code, 0);

  const runs = JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as RunSummary[];
  assert.equal(runs.length, 2);
  assert.equal(runs[0].params.lr, 0.3);
  assert.deepEqual(runs[0].overrides, { lr: 0.3 });
  assert.equal(runs[1].params.lr, 0.1);
  assert.deepEqual(runs[1].counts, { ran: 3, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 });

  const table = flowbench(dir, ['runs']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, new RegExp(`^${runs[0].id}\\s+succeeded .* lr=0\\.3`, 'm'));

  // A prefix one character past where the two ids part: ids of runs started in the same second share more.
  const unique = [...runs[1].id].findIndex((c, i) => c !== runs[0].id[i]) + 1;
  const shown = flowbench(dir, ['show', runs[1].id.slice(0, Math.max(unique, 10)), '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  const record = JSON.parse(shown.stdout) as RunRecord;
  assert.equal(record.id, runs[1].id);
  assert.equal(record.status, 'succeeded');
  assert.deepEqual(Object.keys(record.steps), ['prepare', 'train', 'report']);
  assert.equal(record.metrics.accuracy, 0.8);
  assert.deepEqual(record.histories.loss.map((p) => p.value), [0.9, 0.4]);
  assert.ok(record.artifacts.some((a) => a.path.endsWith('model.txt') && /^[0-9a-f]{64}$/.test(a.sha256)));

  const human = flowbench(dir, ['show', runs[1].id]);
  assert.match(human.stdout, /^Run \S+ {2}succeeded$/m);
  assert.match(human.stdout, /^ {2}loss +2 points/m);
});

test('a failing step: exit 1, its message, downstream skipped, not up to date afterwards', (t) => {
  const dir = project(t, {
    'demo.flow.yaml': PIPELINE.replace('echo "training with lr ${params.lr}"', 'echo "cannot train" >&2; exit 4'),
  });
  const res = flowbench(dir, ['run']);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /^✗ train failed: .*code 4/m);
  assert.match(res.stdout, /^– report skipped$/m);
  assert.match(res.stdout, /^\[train\] cannot train$/m);
  assert.match(res.stdout, /log: \.flowbench\/logs\/\S+\/train\.log/);
  assert.match(res.stdout, /Run \S+ failed/);
  const status = flowbench(dir, ['status', '--json']);
  const steps = JSON.parse(status.stdout).steps as { step: string; state: string }[];
  assert.equal(steps.find((s) => s.step === 'prepare')?.state, 'up-to-date');
  assert.notEqual(steps.find((s) => s.step === 'train')?.state, 'up-to-date');
  assert.notEqual(steps.find((s) => s.step === 'report')?.state, 'up-to-date');
  const [run] = JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as RunSummary[];
  assert.equal(run.status, 'failed');
});

test('a step killed with SIGKILL fails the run and is not reported up to date', (t) => {
  const dir = project(t, {
    'k.flow.yaml': 'flow: k\nsteps:\n  doomed:\n    run: echo partial > out.txt; kill -9 $$\n    outs: [out.txt]\n',
  });
  const res = flowbench(dir, ['run']);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /✗ doomed failed: .*SIGKILL/);
  const status = flowbench(dir, ['status']);
  assert.doesNotMatch(status.stdout, /doomed\s+up to date/);
  // Even with the out present on disk, a second run must run the step again, not call it cached.
  writeFileSync(join(dir, 'out.txt'), 'partial\n');
  const again = flowbench(dir, ['run', '--events']);
  assert.equal(outcomes(parseEvents(again.stdout)).doomed, 'failed');
});
