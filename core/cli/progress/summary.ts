// The end of a run in words: what failed and why, what ran, and where the results are.
import { dirname, join, relative, resolve } from 'node:path';
import { formatLocation, formatValue } from '../format';
import { formatDuration } from '../../time-text';
import { line, paint, type Output } from '../output';
import { mergeStepMetrics } from '../../runs/record';
import type { RunProgress } from './run-progress';

export function countsLine(p: RunProgress): string {
  const ran = p.count('succeeded') + p.count('failed');
  const cached = p.count('cached');
  const restored = p.count('restored');
  const total = p.steps.size;
  if (ran === 0 && p.status === 'succeeded') {
    if (restored === 0) return total === 1 ? 'Nothing to do: the step is up to date (cached).' : `Nothing to do: all ${total} steps up to date (cached).`;
    return `Nothing ran: all ${total} steps up to date (${cached} cached, ${restored} restored from the cache).`;
  }
  const parts = [`${p.count('succeeded')} ran`, `${cached} cached`, `${restored} restored`];
  for (const state of ['failed', 'skipped', 'cancelled'] as const) if (p.count(state)) parts.push(`${p.count(state)} ${state}`);
  return parts.join(', ');
}

export function printSummary(o: Output, p: RunProgress, opts: { showLogTail: boolean; stateDir: string }): void {
  const cwd = process.cwd();
  for (const s of p.steps.values()) {
    if (s.state !== 'failed') continue;
    line(o.out);
    line(o.out, paint(o, 'red', `✗ ${s.name} failed: ${s.message ?? 'see its log'}${formatLocation(s.location)}`));
    if (opts.showLogTail) for (const text of s.tail) line(o.out, paint(o, 'gray', `  │ ${text}`));
    line(o.out, paint(o, 'gray', `  log: ${relative(cwd, join(opts.stateDir, 'logs', p.runId, `${s.name}.log`))}`));
  }
  line(o.out);
  line(o.out, countsLine(p));
  const verdict = p.status === 'succeeded' ? paint(o, 'green', 'succeeded') : paint(o, p.status === 'failed' ? 'red' : 'yellow', p.status ?? 'ended');
  // Name the flow in the hint unless it is the one `show` would find by itself.
  const flowArg = dirname(p.flowFile) === cwd ? '' : ` ${relative(cwd, p.flowFile)}`;
  line(o.out, `Run ${p.runId} ${verdict} in ${formatDuration(p.durationMs)} · details: flowbench show ${p.runId}${flowArg}`);
  const metrics = Object.entries(mergeStepMetrics(p.stepMetrics));
  if (metrics.length) {
    const shown = metrics.slice(0, 8).map(([k, v]) => `${k} ${formatValue(v)}`).join(', ');
    line(o.out, `Metrics: ${shown}${metrics.length > 8 ? `, … (${metrics.length - 8} more)` : ''}`);
  }
  // Outputs are relative to the flow folder; say where they are from here.
  const outputs = p.outputs.map((out) => relative(cwd, resolve(dirname(p.flowFile), out)));
  if (outputs.length) line(o.out, `Outputs: ${outputs.slice(0, 6).join(', ')}${outputs.length > 6 ? ', …' : ''}`);
}
