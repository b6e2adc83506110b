// How cells read: numbers to four significant digits (full value in the title), times local, durations short,
// NaN as NaN and infinities as ∞ (never blank: blank is a missing value).
import type { Cell, WireCell } from './contract';

export function columnLabel(key: string): string {
  if (key === 'starred') return '★';
  const dot = key.indexOf('.');
  return dot > 0 && (key.startsWith('params.') || key.startsWith('metrics.')) ? key.slice(dot + 1) : key;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

const NON_FINITE = { NaN: 'NaN', Infinity: '∞', '-Infinity': '-∞' } as const;

/** A cell from the wire as the value it stands for (a marker back to NaN or ±Infinity). */
export function fromWire(value: WireCell): Cell {
  return typeof value === 'object' && value !== null ? Number(value.nonFinite) : value;
}

/** NaN, ∞ or -∞ as the table shows them; undefined for a finite number. */
export function nonFiniteText(value: number): string | undefined {
  return Number.isFinite(value) ? undefined : Number.isNaN(value) ? NON_FINITE.NaN : value > 0 ? NON_FINITE.Infinity : NON_FINITE['-Infinity'];
}

export function formatCell(key: string, value: WireCell): string {
  if (value === null) return '';
  if (typeof value === 'object') return NON_FINITE[value.nonFinite];
  if (key === 'start' && typeof value === 'number') return new Date(value).toLocaleString();
  if (key === 'duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return String(value);
}

/** A cell's full value, for its tooltip. */
export function fullValue(value: WireCell): string {
  return typeof value === 'object' && value !== null ? NON_FINITE[value.nonFinite] : String(value);
}
