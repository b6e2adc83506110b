// Drift of observed values against a baseline histogram (histogram.ts): the population stability index
// and the two-sample Kolmogorov–Smirnov statistic, both over the baseline's own bins, so the training data
// never has to be kept. Pure TS (the host computes it from the request log).
//
// PSI = Σ (o − e)·ln(o / e) over bins, o and e the observed and baseline shares, each floored at
// PSI_FLOOR so an empty bin counts as rare rather than infinite. The usual reading (and ours): below 0.1
// stable, 0.1–0.2 moderate, above PSI_THRESHOLD = 0.2 drifted. KS is the largest gap between the two
// cumulative shares in bin order; for a categorical feature (no order) it is the largest gap in one
// category's share. A feature is flagged when PSI > PSI_THRESHOLD and KS also exceeds its critical value
// at α = 0.01 for the two sample sizes (1.628·√((n+m)/(n·m))), so a small baseline or window does not
// flag sampling noise; and only with at least MIN_OBSERVED observed values.
import { baselineCounts, binCounts, type Histogram } from './histogram';
import type { FeatureDrift } from './types';

export const PSI_THRESHOLD = 0.2;
export const MIN_OBSERVED = 30;
const PSI_FLOOR = 1e-4;
/** c(α) of the two-sample KS test at α = 0.01. */
const KS_ALPHA_001 = 1.628;

export function psi(expected: number[], observed: number[]): number {
  const e = shares(expected);
  const o = shares(observed);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const a = Math.max(o[i]!, PSI_FLOOR);
    const b = Math.max(e[i]!, PSI_FLOOR);
    sum += (a - b) * Math.log(a / b);
  }
  return sum;
}

export function ksBinned(expected: number[], observed: number[], ordered: boolean): number {
  const e = shares(expected);
  const o = shares(observed);
  let ce = 0;
  let co = 0;
  let max = 0;
  for (let i = 0; i < e.length; i++) {
    if (ordered) {
      ce += e[i]!;
      co += o[i]!;
      max = Math.max(max, Math.abs(ce - co));
    } else {
      max = Math.max(max, Math.abs(e[i]! - o[i]!));
    }
  }
  return max;
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

export function featureDrift(feature: string, baseline: Histogram, values: (number | string | null)[]): FeatureDrift {
  const { counts, n } = binCounts(baseline, values);
  const expected = baselineCounts(baseline);
  if (n === 0) return { feature, psi: 0, ks: 0, drifted: false, n };
  const p = psi(expected, counts);
  const ks = ksBinned(expected, counts, baseline.kind === 'numeric');
  const m = expected.reduce((a, b) => a + b, 0);
  const critical = KS_ALPHA_001 * Math.sqrt((n + m) / (n * m));
  return { feature, psi: p, ks, drifted: n >= MIN_OBSERVED && p > PSI_THRESHOLD && ks > critical, n };
}
