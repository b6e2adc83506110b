// A SageMaker endpoint's traffic for the monitor panel, from CloudWatch (namespace AWS/SageMaker, by
// EndpointName and VariantName): Invocations and Invocation4XXErrors/5XXErrors summed per bucket, and
// ModelLatency's p50/p95/p99 (CloudWatch has it in microseconds; MonitorSeries in ms). Buckets are whole
// minutes (CloudWatch's resolution for these metrics), widened so a long range stays under MAX_BUCKETS.
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { awsClientConfig } from '../aws/clients';
import { awsProblem } from '../aws/errors';
import type { DeploymentRecord, MonitorSeries } from './types';

export const MAX_BUCKETS = 360;
const VARIANT = 'AllTraffic';

type Id = 'inv' | 'e4' | 'e5' | 'p50' | 'p95' | 'p99';
const QUERIES: [Id, string, string][] = [
  ['inv', 'Invocations', 'Sum'],
  ['e4', 'Invocation4XXErrors', 'Sum'],
  ['e5', 'Invocation5XXErrors', 'Sum'],
  ['p50', 'ModelLatency', 'p50'],
  ['p95', 'ModelLatency', 'p95'],
  ['p99', 'ModelLatency', 'p99'],
];

/** Bucket width for a range: a whole number of minutes, at most MAX_BUCKETS buckets. */
export function bucketSeconds(rangeMs: number): number {
  return Math.max(1, Math.ceil(rangeMs / 60000 / MAX_BUCKETS)) * 60;
}

export async function sageMakerSeries(record: DeploymentRecord, sinceMs: number, opts: { nowMs?: number } = {}): Promise<MonitorSeries> {
  const name = record.endpointName ?? record.name;
  const now = opts.nowMs ?? Date.now();
  const period = bucketSeconds(Math.max(0, now - sinceMs));
  const bucketMs = period * 1000;
  const start = Math.floor(sinceMs / bucketMs) * bucketMs;
  const end = Math.max(start + bucketMs, Math.ceil(now / bucketMs) * bucketMs);
  const t = Array.from({ length: (end - start) / bucketMs }, (_, i) => start + i * bucketMs);
  const index = new Map(t.map((v, i) => [v, i]));
  const values = new Map<Id, (number | null)[]>(QUERIES.map(([id]) => [id, t.map(() => null)]));

  const dimensions = [{ Name: 'EndpointName', Value: name }, { Name: 'VariantName', Value: VARIANT }];
  const queries: MetricDataQuery[] = QUERIES.map(([Id, MetricName, Stat]) => ({ Id, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName, Dimensions: dimensions }, Period: period, Stat }, ReturnData: true }));
  const cw = new CloudWatchClient(awsClientConfig({ region: record.region, awsProfile: record.awsProfile }));
  try {
    let token: string | undefined;
    do {
      const out = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start), EndTime: new Date(end), NextToken: token }));
      for (const r of out.MetricDataResults ?? []) {
        const series = values.get(r.Id as Id);
        if (!series) continue;
        (r.Timestamps ?? []).forEach((ts, i) => {
          const at = index.get(Math.floor(ts.getTime() / bucketMs) * bucketMs);
          const v = r.Values?.[i];
          if (at !== undefined && v !== undefined) series[at] = v;
        });
      }
      token = out.NextToken;
    } while (token);
  } catch (e) {
    throw awsProblem(e, `read CloudWatch metrics of endpoint ${name}`);
  } finally {
    cw.destroy();
  }
  const count = (id: Id) => values.get(id)!.map((v) => v ?? 0);
  const ms = (id: Id) => values.get(id)!.map((v) => (v === null ? null : v / 1000));
  const e4 = count('e4');
  const e5 = count('e5');
  return { bucketMs, t, requests: count('inv'), errors: e4.map((v, i) => v + e5[i]!), p50: ms('p50'), p95: ms('p95'), p99: ms('p99') };
}
