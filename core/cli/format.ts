// Small formatters shared by the progress views and the runs/show tables.
import { relative } from 'node:path';
import type { SourceLocation, StepOutcome } from '../engine/events';

/** ` (steps/train.mjs:12)`, relative to the current folder; empty without a location. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  return ` (${relative(process.cwd(), location.file) || location.file}:${location.line})`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Local date and time to the second, e.g. 2026-11-24 01:15:02. */
export function formatTime(time: number): string {
  const d = new Date(time);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export const OUTCOME_SYMBOL: Record<StepOutcome, string> = {
  succeeded: '✓',
  cached: '○',
  restored: '↺',
  failed: '✗',
  skipped: '–',
  cancelled: '■',
};

/** Fits cells into aligned columns; the last column is not padded. */
export function table(rows: string[][]): string[] {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell)))).join('  '));
}
