// What "Flowbench: Run Sweep…" asks for, as `flowbench sweep` arguments; and the sweep's own event lines
// (`sweep-progress`, …), which carry no runId and so are not RunEvents. No `vscode` import: tested alone.
import type { SweepEvent } from '../core/sweeps/run-sweep';

/** One param of a sweep built in quick inputs: `a,b,c` (every value) or `low..high` / `low..high:log` (drawn). */
export interface QuickAxis {
  param: string;
  text: string;
}

export const isRange = (text: string) => text.split('..').length === 2;

export function adHocSweepArgs(axes: QuickAxis[], count: number | undefined, name = 'ad-hoc'): string[] {
  const args = axes.flatMap((a) => [isRange(a.text) ? '--random' : '--grid', `${a.param}=${a.text.replace(/\s+/g, '')}`]);
  if (count !== undefined) args.push('--count', String(count));
  return [...args, '--name', name];
}

export function parseSweepEvent(line: string): SweepEvent | undefined {
  if (!line.startsWith('{"type":"sweep-') && !line.startsWith('{"type":"variant-')) return undefined;
  try {
    const e = JSON.parse(line) as SweepEvent;
    return typeof e.sweepId === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

export function progressText(e: Extract<SweepEvent, { type: 'sweep-progress' }>): string {
  const eta = e.etaMs === undefined ? '' : `, ETA ${e.etaMs < 60_000 ? `${Math.ceil(e.etaMs / 1000)}s` : `${Math.round(e.etaMs / 60_000)}m`}`;
  return `${e.done}/${e.total} done, ${e.running} running, ${e.failed} failed${eta}`;
}
