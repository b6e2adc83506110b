// A test request through SageMaker Runtime's InvokeEndpoint, and the endpoint's CloudWatch metrics as the
// monitor panel's MonitorSeries, against the fake (the real SDK clients, found through AWS_ENDPOINT_URL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsProblem } from '../../core/aws/errors';
import { deploySageMaker } from '../../core/deploy/sagemaker-deploy';
import { bucketSeconds, MAX_BUCKETS, sageMakerSeries } from '../../core/deploy/sagemaker-metrics';
import { invokeSageMaker, REALTIME_PAYLOAD_BYTES, SERVERLESS_PAYLOAD_BYTES } from '../../core/deploy/sagemaker-runtime';
import { FakeAwsError } from '../helpers/fake-aws/server';
import { never, sageMakerFixture } from './sagemaker-fixture';

const KSERVE = JSON.stringify({ inputs: [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });

test('invoke: the body reaches the endpoint; the model server\'s own error is a result; access errors are failures', async (t) => {
  const f = await sageMakerFixture(t);
  const record = await deploySageMaker(f.options(), () => undefined, never());
  const seen: { endpointName: string; contentType: string; body: string }[] = [];
  f.fake.onInvoke((req) => {
    seen.push({ endpointName: req.endpointName, contentType: req.contentType, body: req.body.toString() });
    const x = JSON.parse(req.body.toString()).inputs[0].data as number[];
    if (x.length !== 3) {
      return { status: 424, body: JSON.stringify({ __type: 'ModelError', message: 'Received client error (400) from primary', OriginalStatusCode: 400, OriginalMessage: 'unexpected shape for input X' }) };
    }
    return { body: JSON.stringify({ model_name: 'delays', outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [1] }] }) };
  });

  const ok = await invokeSageMaker(record, KSERVE, 'application/json');
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body).outputs[0].data, [1]);
  assert.ok(ok.ms >= 0);
  assert.deepEqual(seen[0], { endpointName: 'delays', contentType: 'application/json', body: KSERVE });

  // A local-endpoint body, translated from the model's signature because the project is known.
  const rows = await invokeSageMaker(record, JSON.stringify([{ X: [1, 2, 3] }]), 'application/json', { projectDir: f.project.root });
  assert.equal(rows.status, 200);
  assert.equal(seen[1]!.body, KSERVE);
  await assert.rejects(invokeSageMaker(record, '[{"Y": 1}]', 'application/json', { projectDir: f.project.root }), (e: AwsProblem) => /^the request does not fit the model: row 0 has an unknown feature 'Y'/.test(e.message));
  assert.equal(seen.length, 2, 'a body that does not fit is not sent');

  const bad = await invokeSageMaker(record, JSON.stringify({ inputs: [{ name: 'X', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] }), 'application/json');
  assert.deepEqual([bad.status, bad.body], [400, 'unexpected shape for input X']);

  f.fake.failNext('SageMakerRuntime.InvokeEndpoint', new FakeAwsError('AccessDeniedException', 'not authorized to perform: sagemaker:InvokeEndpoint', 403));
  await assert.rejects(invokeSageMaker(record, KSERVE, 'application/json'), (e: AwsProblem) => /^cannot send a request to endpoint delays: access denied/.test(e.message));
});

test('CloudWatch: Invocations, 4XX+5XX and ModelLatency percentiles per bucket, paged, in ms', async (t) => {
  const f = await sageMakerFixture(t);
  const record = await deploySageMaker(f.options(), () => undefined, never());
  const dims = { EndpointName: 'delays', VariantName: 'AllTraffic' };
  const minute = 60000;
  const t0 = Date.UTC(2026, 11, 1, 12, 0);
  // 12 minutes of traffic: minute i has i+1 requests with latencies (i+1)·1000 … µs, one 4XX every even minute.
  for (let i = 0; i < 12; i++) {
    const at = t0 + i * minute + 1000;
    f.cw.put('AWS/SageMaker', 'Invocations', dims, at, i + 1);
    if (i % 2 === 0) f.cw.put('AWS/SageMaker', 'Invocation4XXErrors', dims, at, 1);
    if (i === 5) f.cw.put('AWS/SageMaker', 'Invocation5XXErrors', dims, at, 2);
    for (let k = 1; k <= 100; k++) f.cw.put('AWS/SageMaker', 'ModelLatency', dims, at, k * 1000 * (i + 1));
  }
  // Another endpoint's traffic must not leak in.
  f.cw.put('AWS/SageMaker', 'Invocations', { EndpointName: 'other', VariantName: 'AllTraffic' }, t0, 999);

  const series = await sageMakerSeries(record, t0, { nowMs: t0 + 15 * minute });
  assert.equal(series.bucketMs, minute);
  assert.equal(series.t.length, 15);
  assert.equal(series.t[0], t0);
  assert.deepEqual(series.requests, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0]);
  assert.deepEqual(series.errors, [1, 0, 1, 0, 1, 2, 1, 0, 1, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual(series.p50.slice(0, 3), [50, 100, 150]);
  assert.deepEqual(series.p95.slice(0, 2), [95, 190]);
  assert.deepEqual(series.p99.slice(11), [1188, null, null, null]);
  // The fake answers 5 datapoints per page: 12 minutes took three pages.
  assert.equal(f.fake.targets('GraniteServiceVersion20100801.').length, 3);
  const q = f.fake.calls.find((c) => c.target === 'GraniteServiceVersion20100801.GetMetricData')!.input as { MetricDataQueries: { Id: string; MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] }; Period: number; Stat: string } }[]; StartTime: number; EndTime: number };
  assert.deepEqual(q.MetricDataQueries.map((m) => `${m.Id}:${m.MetricStat.Metric.MetricName}:${m.MetricStat.Stat}:${m.MetricStat.Period}`), ['inv:Invocations:Sum:60', 'e4:Invocation4XXErrors:Sum:60', 'e5:Invocation5XXErrors:Sum:60', 'p50:ModelLatency:p50:60', 'p95:ModelLatency:p95:60', 'p99:ModelLatency:p99:60']);
  assert.deepEqual(q.MetricDataQueries[0]!.MetricStat.Metric.Dimensions, [{ Name: 'EndpointName', Value: 'delays' }, { Name: 'VariantName', Value: 'AllTraffic' }]);
  assert.deepEqual([q.StartTime, q.EndTime], [t0 / 1000, (t0 + 15 * minute) / 1000]);
});

test('a long range widens the buckets to whole minutes, at most MAX_BUCKETS of them; errors are plain', async (t) => {
  assert.equal(bucketSeconds(10 * 60000), 60);
  assert.equal(bucketSeconds(7 * 24 * 3600000), 1680);
  assert.ok((7 * 24 * 3600) / bucketSeconds(7 * 24 * 3600000) <= MAX_BUCKETS);
  const f = await sageMakerFixture(t);
  const record = await deploySageMaker(f.options(), () => undefined, never());
  const now = Date.UTC(2026, 11, 8);
  const week = await sageMakerSeries(record, now - 7 * 24 * 3600000, { nowMs: now });
  assert.ok(week.t.length <= MAX_BUCKETS + 1 && week.t.length >= MAX_BUCKETS - 1, String(week.t.length));
  assert.equal(week.bucketMs % 60000, 0);
  f.fake.failNext('GraniteServiceVersion20100801.GetMetricData', new FakeAwsError('AccessDenied', 'not authorized to perform: cloudwatch:GetMetricData', 403));
  await assert.rejects(sageMakerSeries(record, now - 60000, { nowMs: now }), (e: AwsProblem) => /^cannot read CloudWatch metrics of endpoint delays: access denied/.test(e.message));
});

test('InvokeEndpoint\'s payload limit: 6 MB on a real-time endpoint, 4 MB on a serverless one, refused before any call', async (t) => {
  const f = await sageMakerFixture(t);
  const record = await deploySageMaker(f.options(), () => undefined, never());
  assert.equal(record.serverless, undefined);
  const sizes: number[] = [];
  f.fake.onInvoke((req) => (sizes.push(req.body.length), { body: '{}' }));
  const body = (bytes: number) => KSERVE.padEnd(bytes, ' ');

  assert.equal((await invokeSageMaker(record, body(REALTIME_PAYLOAD_BYTES), 'application/json')).status, 200);
  assert.deepEqual(sizes, [REALTIME_PAYLOAD_BYTES], 'exactly the limit goes');
  const calls = f.fake.calls.length;
  await assert.rejects(invokeSageMaker(record, body(REALTIME_PAYLOAD_BYTES + 1), 'application/json'), (e: AwsProblem) =>
    e.message === 'the request body is 6.0 MB (6291457 bytes); InvokeEndpoint takes at most 6 MB (6291456 bytes) on a real-time endpoint such as delays' && e.remedy === 'send fewer rows per request');
  const serverless = { ...record, serverless: { memorySizeInMB: 2048, maxConcurrency: 5 } };
  await assert.rejects(invokeSageMaker(serverless, body(SERVERLESS_PAYLOAD_BYTES + 1), 'application/json'), (e: AwsProblem) => /at most 4 MB \(4194304 bytes\) on a serverless endpoint/.test(e.message));
  assert.equal(f.fake.calls.length, calls, 'no call for a body over the limit');
  assert.equal((await invokeSageMaker(serverless, body(SERVERLESS_PAYLOAD_BYTES), 'application/json')).status, 200);

  // Serverless sizing is recorded at deploy, so the limit is known without asking SageMaker.
  const sized = await deploySageMaker(f.options({ name: 'small', overrides: { serverlessMemory: 1024 } }), () => undefined, never());
  assert.deepEqual(sized.serverless, { memorySizeInMB: 1024, maxConcurrency: 5 });
});
