// A live series grows by deltas: a delta's bucket replaces the shown bucket with its start time, a newer one
// is appended (in order), and the oldest fall off past `max`, as they do in the host.
import type { MonitorSeries } from './contract';

const KEYS = ['requests', 'errors', 'p50', 'p95', 'p99'] as const;

export function mergeSeries(shown: MonitorSeries, delta: MonitorSeries, max: number): MonitorSeries {
  const index = new Map(shown.t.map((t, i) => [t, i]));
  const out: MonitorSeries = { bucketMs: shown.bucketMs, t: [...shown.t], requests: [...shown.requests], errors: [...shown.errors], p50: [...shown.p50], p95: [...shown.p95], p99: [...shown.p99] };
  let sorted = true;
  delta.t.forEach((t, j) => {
    const at = index.get(t);
    if (at !== undefined) {
      for (const k of KEYS) (out[k] as (number | null)[])[at] = delta[k][j]!;
      return;
    }
    if (out.t.length && t < out.t[out.t.length - 1]!) sorted = false;
    index.set(t, out.t.length);
    out.t.push(t);
    for (const k of KEYS) (out[k] as (number | null)[]).push(delta[k][j]!);
  });
  if (!sorted) {
    const order = out.t.map((_, i) => i).sort((a, b) => out.t[a]! - out.t[b]!);
    out.t = order.map((i) => out.t[i]!);
    for (const k of KEYS) (out[k] as (number | null)[]) = order.map((i) => (out[k] as (number | null)[])[i]!);
  }
  const drop = Math.max(0, out.t.length - max);
  if (drop) {
    out.t = out.t.slice(drop);
    for (const k of KEYS) (out[k] as (number | null)[]) = (out[k] as (number | null)[]).slice(drop);
  }
  return out;
}

/**
 * The buckets of `fresh` that `shown` lacks or holds with other values, as a delta for mergeSeries;
 * undefined when the two have different bucket widths (then only the whole series will do).
 */
export function changedBuckets(shown: MonitorSeries, fresh: MonitorSeries): MonitorSeries | undefined {
  if (shown.bucketMs !== fresh.bucketMs) return undefined;
  const index = new Map(shown.t.map((t, i) => [t, i]));
  const keep = fresh.t.map((t, j) => {
    const at = index.get(t);
    return at === undefined || KEYS.some((k) => shown[k][at] !== fresh[k][j]);
  });
  const pick = <T,>(values: T[]) => values.filter((_, j) => keep[j]);
  return { bucketMs: fresh.bucketMs, t: pick(fresh.t), requests: pick(fresh.requests), errors: pick(fresh.errors), p50: pick(fresh.p50), p95: pick(fresh.p95), p99: pick(fresh.p99) };
}
