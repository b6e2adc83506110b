// The Endpoint Monitor's controller without a webview, over a real request log on disk: nothing before
// Ready, the whole series once, then only changed buckets as requests are appended; drift from the
// baseline file; a SageMaker deployment says where its metrics come from.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Baseline } from '../../core/deploy/baseline-file';
import type { DeploymentRecord } from '../../core/deploy/types';
import { EndpointMonitorController, SAGEMAKER_NO_DRIFT, SAGEMAKER_UNAVAILABLE } from '../../extension/panels/endpoint-monitor-controller';
import type { DriftView, MonitorSeries } from '../../webviews/endpoint-monitor/contract';
import type { WireMessage } from '../../webviews/platform/protocol';

const T0 = 1_800_000_000_000;
const record = (target: 'local' | 'sagemaker'): DeploymentRecord => ({ name: 'demo', target, status: 'running', url: 'http://127.0.0.1:1', flow: 'f.flow.yaml', model: 'm.onnx', modelSha256: 'ab'.repeat(32), runId: 'r1', createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString() });
const line = (t: number, x: number, status = 200) => JSON.stringify({ t, ms: 2, status, rows: 1, batch: 1, inputs: { x }, prediction: 0.5 }) + '\n';
const baseline: Baseline = {
  version: 1, runId: 'r1', createdAt: '', rows: 400, problems: [], sources: { x: 'sample' },
  layout: [{ name: 'x', kind: 'numeric', input: 'x' }],
  features: { x: { kind: 'numeric', edges: [0, 1, 2, 3, 4], counts: [100, 100, 100, 100] } },
};

test('monitor controller: whole series on ready, then deltas of new buckets; drift flags a shifted feature', async (t) => {
  const projectDir = mkdtempSync(join(tmpdir(), 'flowbench-monitor-panel-'));
  t.after(() => rmSync(projectDir, { recursive: true, force: true }));
  const dir = join(projectDir, '.flowbench', 'deployments', 'demo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'baseline.json'), JSON.stringify(baseline));
  writeFileSync(join(dir, 'requests.jsonl'), Array.from({ length: 100 }, (_, i) => line(T0 + i, (i % 4) + 0.5)).join(''));

  const posted: WireMessage[] = [];
  const controller = new EndpointMonitorController((m) => posted.push(m), { deployment: async () => record('local') }, undefined, 60_000);
  t.after(() => controller.dispose());
  await controller.show({ projectDir, name: 'demo' });
  assert.deepEqual(posted, [], 'nothing before ready');
  await controller.receive({ method: 'platform/ready', params: { state: undefined } });
  const shown = posted.at(-1) as unknown as { method: string; params: { series: MonitorSeries; drift: DriftView } };
  assert.equal(shown.method, 'monitor/show');
  assert.deepEqual(shown.params.series.t, [T0]);
  assert.deepEqual(shown.params.series.requests, [100]);
  assert.deepEqual(shown.params.drift.features.map((f) => [f.feature, f.drifted]), [['x', false]]);

  await controller.poll();
  assert.equal(posted.length, 1, 'no new requests, no message');
  appendFileSync(join(dir, 'requests.jsonl'), Array.from({ length: 200 }, (_, i) => line(T0 + 20_000 + i, 3.5, i < 10 ? 500 : 200)).join(''));
  await controller.poll();
  const delta = posted.at(-1) as unknown as { method: string; params: { series: MonitorSeries; drift: DriftView } };
  assert.equal(delta.method, 'monitor/delta');
  assert.deepEqual(delta.params.series.t, [T0 + 20_000], 'only the new bucket');
  assert.deepEqual([delta.params.series.requests[0], delta.params.series.errors[0]], [200, 10]);
  assert.deepEqual(delta.params.drift.features.map((f) => [f.feature, f.drifted, f.n]), [['x', true, 290]]);
});

test('monitor controller: a SageMaker deployment shows CloudWatch\'s series when the source has it, else why not', async () => {
  const series: MonitorSeries = { bucketMs: 60_000, t: [T0], requests: [12], errors: [1], p50: [4], p95: [9], p99: [11] };
  const posted: WireMessage[] = [];
  const asked: string[] = [];
  const controller = new EndpointMonitorController((m) => posted.push(m), { deployment: async () => record('sagemaker'), sageMakerSeries: async (t) => (asked.push(t.name), series) }, undefined, 60_000);
  await controller.receive({ method: 'platform/ready', params: { state: { target: { projectDir: '/p', name: 'demo' } } } });
  const shown = (posted.at(-1) as unknown as { params: { series?: MonitorSeries; drift?: DriftView } }).params;
  assert.deepEqual(asked, ['demo']);
  assert.deepEqual(shown.series, series);
  assert.deepEqual(shown.drift?.problems, [SAGEMAKER_NO_DRIFT]);
  controller.dispose();
});

test('monitor controller: a SageMaker deployment shows why there are no metrics; a missing one an error', async () => {
  const posted: WireMessage[] = [];
  let current: DeploymentRecord | undefined = record('sagemaker');
  const controller = new EndpointMonitorController((m) => posted.push(m), { deployment: async () => current }, undefined, 60_000);
  await controller.receive({ method: 'platform/ready', params: { state: { target: { projectDir: '/nowhere', name: 'demo' } } } });
  assert.equal((posted.at(-1) as { params: { unavailable?: string } }).params.unavailable, SAGEMAKER_UNAVAILABLE);
  current = undefined;
  await controller.show({ projectDir: '/nowhere', name: 'demo' });
  assert.match((posted.at(-1) as { params: { error?: string } }).params.error ?? '', /No deployment 'demo'/);
  controller.dispose();
});
