// The deploy-time baseline of a real run: the training table's rows (split = 'train' only) binned in
// DuckDB, the one-hot `group` folded back to a category, and the predictions of the real ONNX model on
// the model sample through ONNX Runtime's worker.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeBaseline } from '../../core/deploy/baseline';
import { baselinePath, type Baseline } from '../../core/deploy/baseline-file';
import { driftOf, MonitorAggregator, RequestLogTail } from '../../core/deploy/monitor';
import { readBaseline } from '../../core/deploy/baseline-file';
import { parseFlow } from '../../core/flow/parse';
import { ensureBuilt, flowbench, project } from '../cli/harness';
import { deployProjectFiles } from './deploy-project';

test('baseline: training rows from the Parquet, one-hot columns as a category, predictions from the sample; drift flags shifted requests only', async (t) => {
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

  // Drift through a request log as the endpoint writes it: draws like the training data are not
  // flagged; x shifted by +1.5 with every request in group a (and so higher predictions) are.
  const logDir = join(stateDir, 'deployments', 'demo');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const request = (shift: number, onlyA: boolean, i: number) => {
    const x = -2 + 4 * rand() + shift;
    const a = onlyA || i % 2 === 0 ? 1 : 0;
    const prediction = 1 / (1 + Math.exp(-(2 * x + 0.3 * a + 0.3 * (1 - a) - 0.3)));
    return JSON.stringify({ t: Date.now(), ms: 1, status: 200, rows: 1, batch: 1, inputs: { x, 'group=a': a, 'group=b': 1 - a }, prediction }) + '\n';
  };
  const driftAfter = async (shift: number, onlyA: boolean) => {
    writeFileSync(join(logDir, 'requests.jsonl'), Array.from({ length: 500 }, (_, i) => request(shift, onlyA, i)).join(''));
    const agg = new MonitorAggregator();
    agg.add(await new RequestLogTail(logDir).read());
    return driftOf((await readBaseline(stateDir, 'demo'))!, agg.window());
  };
  const calm = await driftAfter(0, false);
  assert.equal(calm.window, 500);
  assert.deepEqual(calm.features.map((f) => [f.feature, f.drifted, f.n]), [['x', false, 500], ['group', false, 500]]);
  assert.equal(calm.prediction?.drifted, false, JSON.stringify(calm.prediction));
  const shifted = await driftAfter(1.5, true);
  assert.deepEqual(shifted.features.map((f) => [f.feature, f.drifted]), [['x', true], ['group', true]]);
  assert.ok(shifted.features[0]!.psi > 1 && shifted.features[0]!.ks > 0.3, JSON.stringify(shifted.features[0]));
  assert.equal(shifted.prediction?.drifted, true);
});
