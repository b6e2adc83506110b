// `flowbench metrics NAME` (what the Endpoint Monitor runs for SageMaker endpoints) through the real CLI,
// against the fake CloudWatch: the series of the last minutes as JSON; a local deployment is refused.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { writeDeployment } from '../../core/deploy/records';
import { deploySageMaker } from '../../core/deploy/sagemaker-deploy';
import type { MonitorSeries } from '../../core/deploy/types';
import { ensureBuilt, startFlowbench } from '../cli/harness';
import { never, sageMakerFixture } from './sagemaker-fixture';

test('metrics: a SageMaker endpoint\'s CloudWatch series as JSON; a local one is a usage error', async (t) => {
  ensureBuilt();
  const f = await sageMakerFixture(t);
  writeFileSync(f.project.path('flight.flow.yaml'), 'flow: flight\nmodel:\n  path: models/model.onnx\n');
  const record = await deploySageMaker(f.options(), () => undefined, never());
  writeDeployment(f.stateDir, record);
  const dims = { EndpointName: 'delays', VariantName: 'AllTraffic' };
  const now = Date.now();
  for (let i = 1; i <= 3; i++) {
    f.cw.put('AWS/SageMaker', 'Invocations', dims, now - i * 60_000, 10 * i);
    f.cw.put('AWS/SageMaker', 'ModelLatency', dims, now - i * 60_000, 2000);
  }
  f.cw.put('AWS/SageMaker', 'Invocation5XXErrors', dims, now - 60_000, 4);

  // Asynchronously: the fake answers from this process.
  const res = await startFlowbench(f.project.root, ['metrics', 'delays', '--minutes', '30']).done;
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stderr, '', 'no SDK warnings in the CLI\'s output');
  const series = JSON.parse(res.stdout) as MonitorSeries;
  assert.equal(series.bucketMs, 60_000);
  assert.equal(series.requests.reduce((a, b) => a + b, 0), 60);
  assert.equal(series.errors.reduce((a, b) => a + b, 0), 4);
  assert.ok(series.p50.includes(2), `latency in ms: ${series.p50}`);
  assert.ok(f.fake.targets('GraniteServiceVersion20100801.').length >= 1);

  writeDeployment(f.stateDir, { ...record, name: 'here', target: 'local', url: 'http://127.0.0.1:1' });
  const local = await startFlowbench(f.project.root, ['metrics', 'here']).done;
  assert.equal(local.code, 2);
  assert.match(local.stderr, /here is a local endpoint/);
});
