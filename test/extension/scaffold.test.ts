// The files the first-run commands write: the example project runs outside the repository with no
// node_modules beside it, a new flow is lint-clean and runs, and nothing existing is ever overwritten.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlow } from '../../core/flow/analyze';
import { createExampleProject, EXAMPLE_FLOW, flowNameProblem, newFlowFiles, ScaffoldConflict, writeNewFiles } from '../../extension/scaffold';
import { buildExampleProject } from '../../scripts/example-project.mjs';
import { ensureBuilt, flowbench, outcomes, parseEvents } from '../cli/harness';

before(() => ensureBuilt());

function tempDir(t: { after: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function problemsOf(flowFile: string): string[] {
  return analyzeFlow(flowFile, readFileSync(flowFile, 'utf8')).problems.map((p) => `${p.code} ${p.message}`);
}

test('the example project runs in a folder outside the repository, with no node_modules', { timeout: 240_000 }, async (t) => {
  const built = tempDir(t, 'flowbench-example-build-');
  await buildExampleProject(built, false);
  const target = join(tempDir(t, 'flowbench-example-'), 'my example');
  const flowFile = createExampleProject(built, target);
  assert.equal(flowFile, join(target, EXAMPLE_FLOW));
  assert.ok(!existsSync(join(target, 'node_modules')));
  assert.ok(statSync(join(target, 'data', 'flights-sample.parquet')).size < 3 * 1024 * 1024, 'the sample is small enough to ship');
  assert.deepEqual(problemsOf(flowFile), []);

  // One epoch: the same steps and code, less CPU.
  const res = flowbench(target, ['run', '--set', 'epochs=1', '--events'], 200_000);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(outcomes(parseEvents(res.stdout)), { staging: 'succeeded', features: 'succeeded', train: 'succeeded', evaluate: 'succeeded' });
  const evaluation = JSON.parse(readFileSync(join(target, 'metrics', 'eval.json'), 'utf8'));
  assert.ok(evaluation.model.auc > evaluation.baseline.auc, `model AUC ${evaluation.model.auc} beats the baseline`);
});

test('the example project is never written over existing files', (t) => {
  const source = tempDir(t, 'flowbench-example-src-');
  writeFileSync(join(source, EXAMPLE_FLOW), 'flow: example\n');
  writeFileSync(join(source, 'README.md'), 'example\n');
  const target = tempDir(t, 'flowbench-example-busy-');
  writeFileSync(join(target, 'README.md'), 'mine\n');
  assert.throws(() => createExampleProject(source, target), (err: unknown) => err instanceof ScaffoldConflict && /README\.md exists/.test(err.message));
  assert.equal(readFileSync(join(target, 'README.md'), 'utf8'), 'mine\n');
  assert.ok(!existsSync(join(target, EXAMPLE_FLOW)), 'nothing is written when anything conflicts');
});

test('a new flow is lint-clean, its SQL step feeds its command step, and it runs', (t) => {
  const dir = tempDir(t, 'flowbench-newflow-');
  const [flowFile] = writeNewFiles(dir, newFlowFiles('sales'));
  assert.equal(flowFile, join(dir, 'sales.flow.yaml'));
  assert.deepEqual(problemsOf(flowFile!), []);
  const res = flowbench(dir, ['run', '--events']);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(outcomes(parseEvents(res.stdout)), { numbers: 'succeeded', report: 'succeeded' });
  const bytes = Number(readFileSync(join(dir, 'reports', 'sales-numbers-bytes.txt'), 'utf8').trim());
  assert.equal(bytes, statSync(join(dir, '.flowbench', 'tables', 'numbers.parquet')).size);

  writeFileSync(join(dir, 'sql', 'sales-numbers.sql'), 'SELECT 1\n');
  assert.throws(() => writeNewFiles(dir, newFlowFiles('sales')), ScaffoldConflict);
  assert.equal(readFileSync(join(dir, 'sql', 'sales-numbers.sql'), 'utf8'), 'SELECT 1\n');
});

test('flow names must make good file names', () => {
  assert.equal(flowNameProblem('my-flow_2'), undefined);
  for (const bad of ['', '2fast', 'a b', '../up', 'x/y']) assert.ok(flowNameProblem(bad), bad);
});
