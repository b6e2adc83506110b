// The flight-delays example end to end through the CLI, in a copy of the project: a full run, a second
// run that does nothing, one param changed (only its steps re-run) and reverted (restored, nothing runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../core/runs/types';
import { ensureBuilt, flowbench, outcomes, parseEvents, repo } from './harness';

before(() => ensureBuilt());

test('flight-delays: runs end to end, then cached, then only affected steps, then restored', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repo, 'examples', 'flight-delays'), dir, {
    recursive: true,
    filter: (src) => !/[/\\](\.flowbench|models|metrics)$/.test(src),
  });
  // The steps import onnxruntime-node and friends; resolve them from the repository's node_modules.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');

  // Every command trains on a 5% sample instead of the default 25%: the same steps and code, half the CPU
  // time, so the file stays well within its time on a busy CI machine. `--set` values are part of the state
  // compared, so "nothing to do" below holds for runs made with the same sample.
  const sample = ['--set', 'sample_per_mille=50'];
  const first = flowbench(dir, ['run', '--events', ...sample], 150_000);
  assert.equal(first.code, 0, first.stderr.slice(-3000));
  assert.deepEqual(outcomes(parseEvents(first.stdout)), { staging: 'succeeded', features: 'succeeded', train: 'succeeded', evaluate: 'succeeded' });
  assert.ok(existsSync(join(dir, 'models', 'model.onnx')));
  const firstRun = parseEvents(first.stdout)[0].runId;
  const record = JSON.parse(flowbench(dir, ['show', firstRun, '--json']).stdout) as RunRecord;
  assert.equal(record.status, 'succeeded');
  assert.ok(Object.keys(record.metrics).length > 0, 'final metrics recorded');
  assert.ok(Object.values(record.histories).some((points) => points.length > 1), 'a per-epoch history recorded');
  assert.ok(record.artifacts.some((a) => a.path.endsWith('model.onnx')));
  // the example's data tests hold on the real data, and both tables are profiled
  const tests = [...(record.steps.staging!.tests ?? []), ...(record.steps.features!.tests ?? [])];
  assert.ok(tests.length >= 20, `${tests.length} data tests recorded`);
  assert.deepEqual(tests.filter((t) => t.status !== 'pass'), []);
  assert.equal(record.steps.features!.profile!.columns.find((c) => c.name === 'split')!.top!.length, 3);
  const metricsBefore = readFileSync(join(dir, 'metrics', 'eval.json'), 'utf8');

  const second = flowbench(dir, ['run', ...sample]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Nothing to do: all 4 steps up to date \(cached\)\./);

  // The threshold is read by evaluate only: nothing upstream of it may run.
  const changed = flowbench(dir, ['run', '--events', ...sample, '--set', 'threshold=0.5']);
  assert.equal(changed.code, 0, changed.stderr.slice(-3000));
  assert.deepEqual(outcomes(parseEvents(changed.stdout)), { staging: 'cached', features: 'cached', train: 'cached', evaluate: 'succeeded' });
  assert.notEqual(readFileSync(join(dir, 'metrics', 'eval.json'), 'utf8'), metricsBefore);

  const reverted = flowbench(dir, ['run', '--events', ...sample]);
  assert.equal(reverted.code, 0, reverted.stderr);
  assert.deepEqual(outcomes(parseEvents(reverted.stdout)), { staging: 'cached', features: 'cached', train: 'cached', evaluate: 'restored' });
  assert.ok(!parseEvents(reverted.stdout).some((e) => e.type === 'step-start'), 'no step started');
  assert.equal(readFileSync(join(dir, 'metrics', 'eval.json'), 'utf8'), metricsBefore);
  assert.match(reverted.stderr, /Nothing ran: all 4 steps up to date \(3 cached, 1 restored/);

  const runs = JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as { status: string; overrides: Record<string, unknown> }[];
  assert.equal(runs.length, 4);
  assert.ok(runs.every((r) => r.status === 'succeeded'));
  assert.deepEqual(runs[1].overrides, { sample_per_mille: 50, threshold: 0.5 });
});
