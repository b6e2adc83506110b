// Number and text formatting shared by the card's exports (Markdown, HTML, terminal).
import type { MetricValue } from './card-types';

export function formatNumber(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return 'n/a';
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 0.001 ? n.toFixed(4) : n.toExponential(2);
}

/** "+0.0123 better", "-0.0040 worse", "" without a previous model. */
export function formatDelta(m: MetricValue): string {
  if (m.delta === undefined) return '';
  const sign = m.delta > 0 ? '+' : m.delta < 0 ? '−' : '±';
  const verdict = m.improved === undefined ? '' : m.improved ? ' better' : ' worse';
  return `${sign}${formatNumber(Math.abs(m.delta))}${verdict}`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'n/a';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function shapeText(shape: (number | string | null)[] | null): string {
  return shape === null ? 'rank unknown' : `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** The metric a slice row or export names, without the `model.` of an evaluation's model-vs-baseline report. */
export function shortMetric(name: string): string {
  return name.startsWith('model.') ? name.slice('model.'.length) : name;
}
