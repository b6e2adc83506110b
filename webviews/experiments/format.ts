// How cells read: numbers to four significant digits (full value in the title), times local, durations short,
// NaN as NaN and infinities as ∞ (never blank: blank is a missing value). Whether a cell's text may need
// clipping (mayOverflow).
import { formatDuration, formatTime } from '../../core/time-text';
import type { Cell, WireCell } from './contract';

export function columnLabel(key: string): string {
  if (key === 'starred') return '★';
  const dot = key.indexOf('.');
  return dot > 0 && (key.startsWith('params.') || key.startsWith('metrics.')) ? key.slice(dot + 1) : key;
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
  if (key === 'start' && typeof value === 'number') return formatTime(value);
  if (key === 'duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return String(value);
}

/** A cell's full value, for its tooltip. */
export function fullValue(value: WireCell): string {
  return typeof value === 'object' && value !== null ? NON_FINITE[value.nonFinite] : String(value);
}

/**
 * Whether `text` may be wider than `room` em, by an estimate that errs on the wide side (per character: 1.2em for
 * wide scripts, 0.95em for capitals and other broad glyphs, 0.66em else: DejaVu Sans, the widest UI font seen,
 * has digits of 0.64em and lowercase letters of ~0.6em; a misjudged text runs into the cell padding first).
 * Every clipping box is a clip node in Chromium's property trees and a paint chunk of its own: a clip on each of
 * the ~800 cells on screen made layerize, pre-paint and paint most of a scroll frame (measured with traces: CPU
 * of a 7-row scroll frame 25 → 17 ms without them). So only a cell that may overflow clips, with an ellipsis.
 */
export function mayOverflow(text: string, room: number): boolean {
  if (text.length * 1.2 <= room) return false;
  if (text.length * 0.66 > room) return true;
  let em = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    em += c >= 0x1100 ? 1.2 : (c >= 65 && c <= 90) || c === 109 || c === 119 || c === 64 || c === 37 || c === 38 ? 0.95 : 0.66;
  }
  return em > room;
}
