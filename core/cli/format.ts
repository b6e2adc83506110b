// Small formatters shared by the progress views and the runs/show tables.
import { relative } from 'node:path';
import type { SourceLocation, StepOutcome } from '../engine/events';

/** ` (steps/train.mjs:12)`, relative to the current folder; empty without a location. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  return ` (${relative(process.cwd(), location.file) || location.file}:${location.line})`;
}

export function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
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
