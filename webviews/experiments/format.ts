// How cells read: numbers to four significant digits (full value in the title), times local, durations short.
import type { Cell } from './contract';

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

export function formatCell(key: string, value: Cell): string {
  if (value === null) return '';
  if (key === 'start' && typeof value === 'number') return new Date(value).toLocaleString();
  if (key === 'duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return String(value);
}
