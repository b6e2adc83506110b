// The baseline's histogram shapes and the one binning rule both sides use: the CLI bins the training data
// in DuckDB (baseline.ts) with the same edges the host bins observed values with (drift.ts), so a value
// lands in the same bin either way. Pure TS: the extension host imports it.

/** Bins are [edges[i], edges[i+1]); the outer bins are open-ended, so a value outside the training range still counts. */
export interface NumericHistogram {
  kind: 'numeric';
  edges: number[];
  counts: number[];
  /** Rows with no value (null, NaN): kept out of the bins. */
  nulls?: number;
}

/** The most frequent values; the rest, and any value unseen in training, under OTHER. */
export interface CategoricalHistogram {
  kind: 'categorical';
  counts: Record<string, number>;
  nulls?: number;
}

export type Histogram = NumericHistogram | CategoricalHistogram;

export const OTHER = '<other>';

/** Number of bins a numeric feature is cut into (by training quantiles). */
export const NUMERIC_BINS = 10;
/** Fewer bins for a small baseline (the model sample): each should hold about 10 rows, or PSI measures noise. */
export function binsFor(rows: number): number {
  return Math.max(1, Math.min(NUMERIC_BINS, Math.floor(rows / 10)));
}
/** Categories kept by name; the rest go to OTHER. */
export const TOP_CATEGORIES = 20;

/** The bin of a value: how many interior edges lie at or below it. */
export function binOf(edges: number[], value: number): number {
  const bins = Math.max(1, edges.length - 1);
  let lo = 1;
  let hi = edges.length - 1; // interior edges are edges[1 .. length-2]
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(bins - 1, lo - 1);
}

/** Distinct ascending edges from quantiles; a constant column keeps one bin. */
export function edgesFromQuantiles(quantiles: number[]): number[] {
  const sorted = quantiles.filter((q) => Number.isFinite(q)).sort((a, b) => a - b);
  const edges: number[] = [];
  for (const q of sorted) if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  if (edges.length === 1) edges.push(edges[0]!);
  return edges;
}

/** The category a value counts under in a baseline: itself when training saw it, else OTHER. */
export function categoryOf(hist: CategoricalHistogram, value: string): string {
  return Object.prototype.hasOwnProperty.call(hist.counts, value) ? value : OTHER;
}

/** Counts of observed values over a baseline histogram's bins or categories (nulls left out). */
export function binCounts(hist: Histogram, values: (number | string | null)[]): { counts: number[]; n: number } {
  if (hist.kind === 'numeric') {
    const counts = new Array<number>(hist.counts.length).fill(0);
    let n = 0;
    for (const v of values) {
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(x)) continue;
      counts[binOf(hist.edges, x)]!++;
      n++;
    }
    return { counts, n };
  }
  const keys = categoryKeys(hist);
  const index = new Map(keys.map((k, i) => [k, i]));
  const counts = new Array<number>(keys.length).fill(0);
  let n = 0;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    counts[index.get(categoryOf(hist, String(v))) ?? index.get(OTHER)!]!++;
    n++;
  }
  return { counts, n };
}

/** A categorical histogram's keys in a stable order, OTHER always among them (observed values may need it). */
export function categoryKeys(hist: CategoricalHistogram): string[] {
  const keys = Object.keys(hist.counts);
  return keys.includes(OTHER) ? keys : [...keys, OTHER];
}

/** The baseline's counts in the order binCounts uses. */
export function baselineCounts(hist: Histogram): number[] {
  return hist.kind === 'numeric' ? hist.counts : categoryKeys(hist).map((k) => hist.counts[k] ?? 0);
}
