// CloudWatch's GetMetricData (awsJson1_0, target `GraniteServiceVersion20100801.GetMetricData`, as
// @aws-sdk/client-cloudwatch sends it) over raw samples a test puts in: each query's statistic (Sum, Average,
// SampleCount, Minimum, Maximum, pNN) is computed per period from the samples, periods without samples are
// left out as the service does, timestamps come newest first (ScanBy's default), and long answers are paged
// with NextToken. Validation as the service documents it: Ids, period a multiple of 60, StartTime < EndTime.
import { FakeAwsError, type FakeAws } from './server';

interface Sample {
  t: number;
  value: number;
}

export interface FakeCloudWatch {
  /** A sample of `metric` (e.g. ModelLatency in microseconds) for the endpoint's variant, at `t` ms. */
  put(namespace: string, metric: string, dimensions: Record<string, string>, t: number, value: number): void;
}

const ID = /^[a-z][a-zA-Z0-9_]*$/;
const invalid = (message: string) => new FakeAwsError('InvalidParameterValue', message);

const key = (namespace: string, metric: string, dimensions: Record<string, string>) =>
  JSON.stringify([namespace, metric, Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))]);

function statistic(stat: string, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const p = /^p(\d+(\.\d+)?)$/.exec(stat);
  if (p) return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((Number(p[1]) / 100) * sorted.length) - 1))]!;
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'SampleCount':
      return values.length;
    case 'Minimum':
      return sorted[0]!;
    case 'Maximum':
      return sorted[sorted.length - 1]!;
  }
  throw invalid(`The parameter MetricStat.Stat '${stat}' is not a valid statistic.`);
}

/** Registers GetMetricData on `fake`; `pageSize` datapoints per result per page. */
export function fakeCloudWatch(fake: FakeAws, pageSize = 100): FakeCloudWatch {
  const samples = new Map<string, Sample[]>();

  fake.on('GraniteServiceVersion20100801.GetMetricData', (input) => {
    const queries = input.MetricDataQueries as Record<string, unknown>[] | undefined;
    const start = Number(input.StartTime) * 1000;
    const end = Number(input.EndTime) * 1000;
    if (!Array.isArray(queries) || queries.length < 1 || queries.length > 500) throw invalid('MetricDataQueries must have between 1 and 500 members.');
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    const page = Number(input.NextToken ?? 0);
    let more = false;
    const results = queries.map((q) => {
      if (typeof q.Id !== 'string' || !ID.test(q.Id)) throw invalid(`The value ${String(q.Id)} for parameter MetricDataQueries.member.Id is not valid: it must start with a lowercase letter.`);
      const stat = q.MetricStat as { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string };
      if (!stat) throw invalid('The fake models MetricStat queries only.');
      if (!Number.isInteger(stat.Period) || stat.Period < 60 || stat.Period % 60 !== 0) throw invalid('The parameter MetricDataQueries.member.MetricStat.Period must be a multiple of 60.');
      const dims = Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const period = stat.Period * 1000;
      const buckets = new Map<number, number[]>();
      for (const s of samples.get(key(stat.Metric.Namespace, stat.Metric.MetricName, dims)) ?? []) {
        if (s.t < start || s.t >= end) continue;
        const b = start + Math.floor((s.t - start) / period) * period;
        buckets.set(b, [...(buckets.get(b) ?? []), s.value]);
      }
      const points = [...buckets.entries()].sort(([a], [b]) => b - a).map(([t, values]) => ({ t, value: statistic(stat.Stat, values) }));
      const slice = points.slice(page * pageSize, (page + 1) * pageSize);
      if (points.length > (page + 1) * pageSize) more = true;
      return { Id: q.Id, Label: stat.Metric.MetricName, Timestamps: slice.map((p) => p.t / 1000), Values: slice.map((p) => p.value), StatusCode: 'Complete' };
    });
    return { MetricDataResults: results, ...(more ? { NextToken: String(page + 1) } : {}), Messages: [] };
  });

  return {
    put(namespace, metric, dimensions, t, value) {
      const k = key(namespace, metric, dimensions);
      samples.set(k, [...(samples.get(k) ?? []), { t, value }]);
    },
  };
}
