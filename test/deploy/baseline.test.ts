// The deploy-time baseline of a real run: the training table's rows (split = 'train' only) binned in
// DuckDB, the one-hot `group` folded back to a category, and the predictions of the real ONNX model on
// the model sample through ONNX Runtime's worker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { baselinePath, writeBaseline, type Baseline } from '../../core/deploy/baseline';
import { parseFlow } from '../../core/flow/parse';
import { ensureBuilt, flowbench, project } from '../cli/harness';
import { deployProjectFiles } from './deploy-project';

test('baseline: training rows from the Parquet, one-hot columns as a category, predictions from the sample', async (t) => {
  ensureBuilt();
  const files = deployProjectFiles();
  const dir = project(t, files);
  const run = flowbench(dir, ['run'], 120_000);
  assert.equal(run.code, 0, run.stderr);
  const runId = (JSON.parse(flowbench(dir, ['runs', '--json']).stdout) as { id: string }[])[0]!.id;
  const flowFile = join(dir, 'deploy-test.flow.yaml');
  const { flow } = parseFlow(readFileSync(flowFile, 'utf8'), flowFile);
  const stateDir = join(dir, '.flowbench');

  await writeBaseline({ projectDir: dir, stateDir, name: 'demo', flow, runId });
  const baseline = JSON.parse(readFileSync(baselinePath(stateDir, 'demo'), 'utf8')) as Baseline;

  assert.deepEqual(baseline.problems, []);
  assert.equal(baseline.runId, runId);
  assert.deepEqual(baseline.layout.map((f) => [f.name, f.kind]), [['x', 'numeric'], ['group', 'onehot']]);
  assert.equal(baseline.sources.x, '.flowbench/tables/points.parquet');
  assert.equal(baseline.rows, 320);

  const xs = files['data/points.csv']!.trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
  const train = xs.filter((_, i) => (i + 1) % 5 !== 0).sort((a, b) => a - b);
  const x = baseline.features.x!;
  assert.equal(x.kind, 'numeric');
  if (x.kind !== 'numeric') return;
  assert.equal(x.counts.length, 10);
  assert.equal(x.counts.reduce((a, b) => a + b, 0), 320);
  assert.equal(x.edges[0], train[0]);
  assert.equal(x.edges.at(-1), train.at(-1));
  for (const c of x.counts) assert.ok(c >= 30 && c <= 34, `quantile bins hold a tenth each: ${x.counts}`);

  assert.deepEqual(baseline.features.group, { kind: 'categorical', counts: { a: 160, b: 160, '<other>': 0 } });

  const p = baseline.prediction!;
  assert.equal(p.counts.reduce((a, b) => a + b, 0), 50);
  assert.ok(p.edges[0]! > 0 && p.edges.at(-1)! < 1, `probabilities: ${p.edges}`);
});
