// The Endpoint Monitor's controller without a webview, over a real request log on disk: nothing before
// Ready, the whole series once, then only changed buckets as requests are appended; drift from the
// baseline file; a SageMaker deployment says where its metrics come from. Polling on an injected clock (no
// sleeps): CloudWatch once a minute and the log every 2 s while visible, one read at a time, paused while
// hidden, stopped on dispose; against the fake CloudWatch, the GetMetricData calls each poll makes.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Baseline } from '../../core/deploy/baseline-file';
import type { DeploymentRecord } from '../../core/deploy/types';
import { deploySageMaker } from '../../core/deploy/sagemaker-deploy';
import { sageMakerSeries } from '../../core/deploy/sagemaker-metrics';
import { CLOUD_DELTA_MINUTES, CLOUD_POLL_MS, EndpointMonitorController, LOCAL_POLL_MS, SAGEMAKER_NO_DRIFT, SAGEMAKER_UNAVAILABLE, type PollTimers } from '../../extension/panels/endpoint-monitor-controller';
import { never, sageMakerFixture } from '../deploy/sagemaker-fixture';
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
  const controller = new EndpointMonitorController((m) => posted.push(m), { deployment: async () => record('local') }, undefined, { localPollMs: 60_000 });
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
  const controller = new EndpointMonitorController((m) => posted.push(m), { deployment: async () => record('sagemaker'), sageMakerSeries: async (t) => (asked.push(t.name), series) }, undefined, { localPollMs: 60_000 });
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
  const controller = new EndpointMonitorController((m) => posted.push(m), { deployment: async () => current }, undefined, { localPollMs: 60_000 });
  await controller.receive({ method: 'platform/ready', params: { state: { target: { projectDir: '/nowhere', name: 'demo' } } } });
  assert.equal((posted.at(-1) as { params: { unavailable?: string } }).params.unavailable, SAGEMAKER_UNAVAILABLE);
  current = undefined;
  await controller.show({ projectDir: '/nowhere', name: 'demo' });
  assert.match((posted.at(-1) as { params: { error?: string } }).params.error ?? '', /No deployment 'demo'/);
  controller.dispose();
});

/** Intervals that fire only when the test moves the clock. */
class FakeTimers implements PollTimers {
  private t = T0;
  private readonly intervals = new Map<number, { fn: () => void; ms: number; next: number }>();
  private id = 0;
  setInterval(fn: () => void, ms: number): unknown {
    this.intervals.set(++this.id, { fn, ms, next: this.t + ms });
    return this.id;
  }
  clearInterval(handle: unknown): void {
    this.intervals.delete(handle as number);
  }
  now(): number {
    return this.t;
  }
  get active(): number {
    return this.intervals.size;
  }
  /** Moves the clock by `ms`, firing each interval as often as it comes due. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.intervals.values()].filter((i) => i.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.t = end;
  }
}

const MINUTE = 60_000;
const cloud = (t0: number, requests: number[]): MonitorSeries => ({
  bucketMs: MINUTE, t: requests.map((_, i) => t0 + i * MINUTE), requests, errors: requests.map(() => 0),
  p50: requests.map((n) => (n ? 4 : null)), p95: requests.map((n) => (n ? 9 : null)), p99: requests.map((n) => (n ? 11 : null)),
});
type Sent = { method: string; params: { series?: MonitorSeries } };

test('monitor controller: CloudWatch once a minute while visible, one read at a time, only new or changed buckets; paused while hidden, stopped on dispose', async () => {
  const timers = new FakeTimers();
  const asked: (number | undefined)[] = [];
  let answer: Promise<MonitorSeries> = Promise.resolve(cloud(T0, [1, 2, 3]));
  const posted: Sent[] = [];
  const controller = new EndpointMonitorController((m) => posted.push(m as unknown as Sent), { deployment: async () => record('sagemaker'), sageMakerSeries: (_t, minutes) => (asked.push(minutes), answer) }, undefined, { timers });
  await controller.receive({ method: 'platform/ready', params: { state: undefined } });
  await controller.show({ projectDir: '/p', name: 'demo' });
  assert.deepEqual(asked, [undefined], 'the whole range first');
  assert.deepEqual(posted.at(-1)!.params.series?.requests, [1, 2, 3]);
  const shownAt = posted.length;

  timers.advance(CLOUD_POLL_MS - 1);
  assert.equal(asked.length, 1, 'nothing before a minute has passed');
  // The last minute's count grew (late datapoints) and a new minute began: only those two buckets go.
  answer = Promise.resolve(cloud(T0, [1, 2, 5, 1]));
  timers.advance(1);
  await controller.idle();
  assert.deepEqual(asked, [undefined, CLOUD_DELTA_MINUTES]);
  assert.equal(posted.length, shownAt + 1);
  assert.equal(posted.at(-1)!.method, 'monitor/delta');
  assert.deepEqual(posted.at(-1)!.params.series?.t, [T0 + 2 * MINUTE, T0 + 3 * MINUTE]);
  assert.deepEqual(posted.at(-1)!.params.series?.requests, [5, 1]);

  // Nothing changed: a read, no message.
  timers.advance(CLOUD_POLL_MS);
  await controller.idle();
  assert.equal(asked.length, 3);
  assert.equal(posted.length, shownAt + 1);

  // A slow read: the ticks that come due meanwhile start no second one.
  let release!: (s: MonitorSeries) => void;
  answer = new Promise((r) => (release = r));
  timers.advance(CLOUD_POLL_MS);
  timers.advance(3 * CLOUD_POLL_MS);
  assert.equal(asked.length, 4, 'single-flight');
  release(cloud(T0 + 3 * MINUTE, [1, 7]));
  await controller.idle();
  assert.deepEqual(posted.at(-1)!.params.series?.requests, [7]);

  controller.setVisible(false);
  assert.equal(timers.active, 0, 'no timer while hidden');
  timers.advance(10 * CLOUD_POLL_MS);
  assert.equal(asked.length, 4);
  // Back in view after the interval passed: a read at once, then once a minute again.
  answer = Promise.resolve(cloud(T0 + 3 * MINUTE, [1, 7]));
  controller.setVisible(true);
  await controller.idle();
  assert.equal(asked.length, 5);
  controller.setVisible(false);
  controller.setVisible(true);
  assert.equal(asked.length, 5, 'shown again within the minute: no extra read');
  timers.advance(CLOUD_POLL_MS);
  await controller.idle();
  assert.equal(asked.length, 6);

  controller.dispose();
  assert.equal(timers.active, 0);
  timers.advance(10 * CLOUD_POLL_MS);
  assert.equal(asked.length, 6);
});

test('monitor controller: the request log every 2 s while visible; requests logged while hidden arrive on showing', async (t) => {
  const projectDir = mkdtempSync(join(tmpdir(), 'flowbench-monitor-poll-'));
  t.after(() => rmSync(projectDir, { recursive: true, force: true }));
  const dir = join(projectDir, '.flowbench', 'deployments', 'demo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'requests.jsonl'), line(T0, 1));
  const timers = new FakeTimers();
  const posted: Sent[] = [];
  const controller = new EndpointMonitorController((m) => posted.push(m as unknown as Sent), { deployment: async () => record('local') }, undefined, { timers });
  t.after(() => controller.dispose());
  await controller.receive({ method: 'platform/ready', params: { state: undefined } });
  await controller.show({ projectDir, name: 'demo' });
  const shownAt = posted.length;

  appendFileSync(join(dir, 'requests.jsonl'), line(T0 + 30_000, 2));
  timers.advance(LOCAL_POLL_MS - 1);
  await controller.idle();
  assert.equal(posted.length, shownAt);
  timers.advance(1);
  await controller.idle();
  assert.deepEqual(posted.at(-1)!.params.series?.requests, [1]);

  controller.setVisible(false);
  appendFileSync(join(dir, 'requests.jsonl'), line(T0 + 60_000, 2) + line(T0 + 60_001, 2));
  timers.advance(10 * LOCAL_POLL_MS);
  await controller.idle();
  assert.equal(posted.length, shownAt + 1, 'nothing read while hidden');
  controller.setVisible(true);
  await controller.idle();
  assert.equal(posted.length, shownAt + 2);
  assert.deepEqual(posted.at(-1)!.params.series?.requests, [2]);
});

test('monitor controller against the fake CloudWatch: one GetMetricData per minute, over the last minutes only', async (t) => {
  const f = await sageMakerFixture(t);
  const deployed = await deploySageMaker(f.options(), () => undefined, never());
  const dims = { EndpointName: 'delays', VariantName: 'AllTraffic' };
  const timers = new FakeTimers();
  timers.advance(30 * MINUTE + 20_000);
  f.cw.put('AWS/SageMaker', 'Invocations', dims, timers.now() - 10 * MINUTE, 3);
  const posted: Sent[] = [];
  const controller = new EndpointMonitorController((m) => posted.push(m as unknown as Sent), {
    deployment: async () => deployed,
    sageMakerSeries: (_t, minutes = 180) => sageMakerSeries(deployed, timers.now() - minutes * MINUTE, { nowMs: timers.now() }),
  }, undefined, { timers });
  t.after(() => controller.dispose());
  await controller.receive({ method: 'platform/ready', params: { state: undefined } });
  await controller.show({ projectDir: f.project.root, name: 'delays' });
  const reads = () => f.fake.calls.filter((c) => c.target === 'GraniteServiceVersion20100801.GetMetricData').map((c) => c.input as { StartTime: number; EndTime: number });
  assert.equal(reads().length, 1);
  assert.equal(reads()[0]!.EndTime - reads()[0]!.StartTime, 181 * 60, 'three hours, widened to whole minutes');
  assert.equal(posted.at(-1)!.params.series?.requests.reduce((a, b) => a + b, 0), 3);

  f.cw.put('AWS/SageMaker', 'Invocations', dims, timers.now() + 20_000, 4);
  timers.advance(CLOUD_POLL_MS);
  await controller.idle();
  assert.equal(reads().length, 2);
  const delta = reads()[1]!;
  assert.ok(delta.EndTime - delta.StartTime <= (CLOUD_DELTA_MINUTES + 1) * 60, `a short range: ${delta.EndTime - delta.StartTime} s`);
  assert.equal(posted.at(-1)!.method, 'monitor/delta');
  // The minute that got the requests, and the one that began since.
  const minuteOf = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
  assert.deepEqual(posted.at(-1)!.params.series?.t, [minuteOf(timers.now() - CLOUD_POLL_MS), minuteOf(timers.now())]);
  assert.deepEqual(posted.at(-1)!.params.series?.requests, [4, 0]);

  controller.setVisible(false);
  timers.advance(5 * CLOUD_POLL_MS);
  assert.equal(reads().length, 2, 'no CloudWatch calls while hidden');
});
