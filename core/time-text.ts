// Durations and times as every surface shows them (the CLI's tables, the trees, the status bar, the experiments
// panel), so a run reads the same everywhere. No Intl: a page's first toLocaleString loads ICU's date formats
// (measured in the experiments panel: 40-70 ms of its first rows), and a fixed local format sorts as it reads.

/** 850ms, 12.4s, 3m05s, 2h07m; empty when not known. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Local date and time to the second, e.g. 2026-11-24 01:15:02. */
export function formatTime(time: number): string {
  const d = new Date(time);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
