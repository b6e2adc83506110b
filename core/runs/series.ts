// Metric history downsampling for charts. The host runs this over the run store's histories before anything
// crosses to a webview, so a chart of 100 runs × 10,000 points receives 100 × ~1,000 buckets (W&B keeps
// min/max/last per x-bucket the same way) and the webview's cost does not grow with the history's length.
// Pure TS: the webview may import it too (for `ema` and `groupSeries`).
import type { MetricPoint } from './types';

/** step = the point's index; time = wall time in Unix seconds; relative = seconds since the run's first point. */
export type XAxis = 'step' | 'time' | 'relative';

export interface SeriesBuckets {
  runId: string;
  key: string;
  /** Bucket positions, ascending; only buckets holding a point are present. */
  x: number[];
  min: number[];
  max: number[];
  /** The value of the bucket's last point (the one a line through the bucket ends on). */
  last: number[];
  /** Points left out because their value or x was NaN or infinite. */
  skipped: number;
}

function xOf(p: MetricPoint, x: XAxis, t0: number): number {
  if (x === 'step') return p.index;
  return x === 'time' ? p.time / 1000 : (p.time - t0) / 1000;
}

/** The x extent of the finite points, or undefined when there are none. */
export function extent(points: readonly MetricPoint[], x: XAxis): [number, number] | undefined {
  const t0 = x === 'relative' ? firstTime(points) : 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const v = xOf(p, x, t0);
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

function firstTime(points: readonly MetricPoint[]): number {
  let t0 = Infinity;
  for (const p of points) if (Number.isFinite(p.time) && p.time < t0) t0 = p.time;
  return Number.isFinite(t0) ? t0 : 0;
}

/**
 * One point per x-bucket keeping min/max/last, over `range` (x units) when given, else over the points' own
 * extent. The grid is fixed by the range and `buckets` alone, so runs downsampled over the same range share
 * their x positions (see `downsampleAll`). Step buckets are whole steps wide and sit on their first step, so
 * a history shorter than `buckets` comes back exactly; time buckets sit on their centre. When a range is
 * given, the nearest point on either side of it is kept too, so a zoomed line runs to the chart's edges.
 * Points need not be sorted; "last" means the last in x order (input order among equal x).
 */
export function downsample(runId: string, key: string, points: readonly MetricPoint[], x: XAxis, buckets: number, range?: [number, number]): SeriesBuckets {
  const out: SeriesBuckets = { runId, key, x: [], min: [], max: [], last: [], skipped: 0 };
  const t0 = x === 'relative' ? firstTime(points) : 0;
  const xs: number[] = [];
  const vs: number[] = [];
  let sorted = true;
  for (const p of points) {
    const xv = xOf(p, x, t0);
    if (!Number.isFinite(p.value) || !Number.isFinite(xv)) {
      out.skipped++;
      continue;
    }
    if (xs.length > 0 && xv < xs[xs.length - 1]) sorted = false;
    xs.push(xv);
    vs.push(p.value);
  }
  if (xs.length === 0) return out;
  let order: ArrayLike<number> | undefined;
  if (!sorted) {
    // Array.prototype.sort is stable, so equal x keep input order and "last" stays the later-logged value.
    order = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  }
  const at = (i: number) => (order ? order[i] : i);

  let lo: number;
  let hi: number;
  if (range) [lo, hi] = range[0] <= range[1] ? range : [range[1], range[0]];
  else [lo, hi] = [xs[at(0)], xs[at(xs.length - 1)]];
  const n = Math.max(1, Math.floor(buckets));
  const width = x === 'step' ? Math.max(1, Math.ceil((hi - lo + 1) / n)) : (hi - lo) / n;

  let first = 0;
  while (first < xs.length && xs[at(first)] < lo) first++;
  let end = first;
  while (end < xs.length && xs[at(end)] <= hi) end++;
  // The neighbours just outside a requested range, as their own points.
  const from = range && first > 0 ? first - 1 : first;
  const to = range && end < xs.length ? end + 1 : end;

  let bucket = NaN;
  for (let k = from; k < to; k++) {
    const i = at(k);
    const xv = xs[i];
    const v = vs[i];
    let b: number;
    let bx: number;
    if (xv < lo || xv > hi) {
      b = xv; // outside neighbours are exact and never merge with an inside bucket
      bx = xv;
    } else if (width === 0) {
      b = 0;
      bx = lo;
    } else {
      b = Math.min(n - 1, Math.floor((xv - lo) / width));
      bx = x === 'step' ? lo + b * width : lo + (b + 0.5) * width;
      b = -1 - b; // keep inside bucket ids apart from outside x values
    }
    if (b === bucket) {
      const j = out.x.length - 1;
      if (v < out.min[j]) out.min[j] = v;
      if (v > out.max[j]) out.max[j] = v;
      out.last[j] = v;
    } else {
      bucket = b;
      out.x.push(bx);
      out.min.push(v);
      out.max.push(v);
      out.last.push(v);
    }
  }
  return out;
}

/**
 * `downsample` for several runs over one shared grid: over `range` when given, else over the union of their
 * extents, so the chart can overlay them on one x array.
 */
export function downsampleAll(histories: readonly { runId: string; points: readonly MetricPoint[] }[], key: string, x: XAxis, buckets: number, range?: [number, number]): SeriesBuckets[] {
  let shared = range;
  if (!shared) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const h of histories) {
      const e = extent(h.points, x);
      if (!e) continue;
      lo = Math.min(lo, e[0]);
      hi = Math.max(hi, e[1]);
    }
    if (lo <= hi) shared = [lo, hi];
  }
  return histories.map((h) => downsample(h.runId, key, h.points, x, buckets, shared));
}

/**
 * TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the first values are
 * not pulled toward 0. `weight` in [0, 1); non-finite values pass through as NaN and do not move the average.
 */
export function ema(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(Number.isFinite(weight) ? weight : 0, 0), 0.999);
  const out = new Array<number>(values.length);
  let acc = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = NaN;
      continue;
    }
    acc = acc * w + (1 - w) * v;
    n++;
    out[i] = w === 0 ? v : acc / (1 - Math.pow(w, n));
  }
  return out;
}

export interface GroupBuckets {
  group: string;
  runIds: string[];
  x: number[];
  /** Mean over the group's runs of each bucket's last value. */
  mean: number[];
  /** The band: lowest and highest of the runs' last values in the bucket. */
  min: number[];
  max: number[];
}

/**
 * Runs grouped by `groupOf(runId)` (a param's value, say): per x position, the mean of the runs' values and
 * the min/max band around it. Series should share a grid (`downsampleAll`); positions only some runs reach
 * average over those runs.
 */
export function groupSeries(series: readonly SeriesBuckets[], groupOf: (runId: string) => string): GroupBuckets[] {
  const groups = new Map<string, { runIds: string[]; at: Map<number, { sum: number; n: number; min: number; max: number }> }>();
  for (const s of series) {
    const name = groupOf(s.runId);
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { runIds: [], at: new Map() }));
    g.runIds.push(s.runId);
    for (let i = 0; i < s.x.length; i++) {
      const v = s.last[i];
      const cell = g.at.get(s.x[i]);
      if (cell) {
        cell.sum += v;
        cell.n++;
        if (v < cell.min) cell.min = v;
        if (v > cell.max) cell.max = v;
      } else g.at.set(s.x[i], { sum: v, n: 1, min: v, max: v });
    }
  }
  const out: GroupBuckets[] = [];
  for (const [group, g] of groups) {
    const xs = [...g.at.keys()].sort((a, b) => a - b);
    const cells = xs.map((x) => g.at.get(x)!);
    out.push({ group, runIds: g.runIds, x: xs, mean: cells.map((c) => c.sum / c.n), min: cells.map((c) => c.min), max: cells.map((c) => c.max) });
  }
  return out.sort((a, b) => a.group.localeCompare(b.group, undefined, { numeric: true }));
}
