// Drift end to end through the real local endpoint: `flowbench deploy` serves the model and writes the
// baseline; rows drawn like the training data, then shifted rows, go over HTTP; the endpoint's own request
// log, read as the monitor reads it, shows no drift for the first and flags x, group and the predictions
// for the second. The test request body built from the model sample is answered with a prediction.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBaseline } from '../../core/deploy/baseline-file';
import { driftOf, MonitorAggregator, RequestLogTail } from '../../core/deploy/monitor';
import { postInvocation, sampleRequestBody } from '../../core/deploy/test-request';
import type { DeploymentRecord } from '../../core/deploy/types';
import { ensureBuilt, flowbench, project } from '../cli/harness';
import { deployProjectFiles } from './deploy-project';

test('drift through the endpoint: unshifted requests flag nothing, shifted ones flag x, group and the predictions', async (t) => {
  ensureBuilt();
  const dir = project(t, deployProjectFiles());
  assert.equal(flowbench(dir, ['run'], 120_000).code, 0);
  const deployed = flowbench(dir, ['deploy', 'latest', '--name', 'demo', '--json'], 120_000);
  assert.equal(deployed.code, 0, deployed.stderr);
  const record = JSON.parse(deployed.stdout) as DeploymentRecord;
  try {
    await watchDrift(dir, record);
  } finally {
    // Before the project folder goes (its after hook): the endpoint outlives this process otherwise.
    assert.equal(flowbench(dir, ['undeploy', 'demo'], 60_000).code, 0);
  }
});

async function watchDrift(dir: string, record: DeploymentRecord): Promise<void> {
  const stateDir = join(dir, '.flowbench');
  const logDir = join(stateDir, 'deployments', 'demo');
  const tail = new RequestLogTail(logDir);
  const agg = new MonitorAggregator();

  const test = await sampleRequestBody({ flowRoot: dir, stateDir, runId: record.runId, samplePath: 'metrics/sample.json', modelPath: 'models/model.onnx' });
  assert.ok('body' in test, JSON.stringify(test));
  assert.deepEqual(Object.keys(JSON.parse(test.body)[0]), ['x', 'group=a', 'group=b']);
  const answer = await postInvocation(record.url!, test.body);
  assert.equal(answer.status, 200, answer.body);

  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  /** Sends 300 single-row requests and reads the endpoint's (buffered) log until it holds `expected` new lines. */
  const send = async (shift: number, onlyA: boolean, expected: number) => {
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(Array.from({ length: 30 }, async (_, j) => {
        const a = onlyA || (i + j) % 2 === 0 ? 1 : 0;
        const res = await postInvocation(record.url!, JSON.stringify([{ x: -2 + 4 * rand() + shift, 'group=a': a, 'group=b': 1 - a }]));
        assert.equal(res.status, 200, res.body);
      }));
    }
    const lines = [];
    const deadline = Date.now() + 10_000;
    while (lines.length < expected && Date.now() < deadline) lines.push(...(await tail.read()));
    agg.add(lines);
    return lines.length;
  };

  // The test request's line comes first.
  assert.equal(await send(0, false, 301), 301);
  const baseline = (await readBaseline(stateDir, 'demo'))!;
  const calm = driftOf(baseline, agg.window());
  assert.deepEqual(calm.features.map((f) => [f.feature, f.drifted]), [['x', false], ['group', false]], JSON.stringify(calm));
  assert.equal(calm.prediction?.drifted, false, JSON.stringify(calm.prediction));
  assert.ok(existsSync(join(logDir, 'requests.jsonl')));
  const logged = JSON.parse(readFileSync(join(logDir, 'requests.jsonl'), 'utf8').split('\n')[1]!);
  assert.ok(typeof logged.prediction === 'number' && 'x' in logged.inputs, JSON.stringify(logged));

  assert.equal(await send(2, true, 300), 300);
  const window = agg.window().slice(-300);
  const shifted = driftOf(baseline, window);
  assert.deepEqual(shifted.features.map((f) => [f.feature, f.drifted]), [['x', true], ['group', true]], JSON.stringify(shifted));
  assert.equal(shifted.prediction?.drifted, true);
}
