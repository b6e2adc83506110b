// flowbench runs: recorded runs of a flow, newest first, with what set them apart.
import { basename, dirname } from 'node:path';
import type { RunSummary } from '../../runs/types';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { formatDuration, formatTime, formatValue, table } from '../format';
import { loadFlowOrExplain } from '../load';
import { line, paint, type Color, type Output } from '../output';
import { openStoreFor } from '../run-store';

const DEFAULT_LIMIT = 20;
const MAX_PARAMS = 4;
const MAX_METRICS = 3;

export const STATUS_COLOR: Record<RunSummary['status'], Color> = {
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
  interrupted: 'yellow',
};

export async function runsCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('runs', args, {
    json: { type: 'boolean' },
    limit: { type: 'string' },
    status: { type: 'string' },
  }, 1);
  const limit = positiveInteger(values.limit, '--limit', 'runs') ?? (values.json ? undefined : DEFAULT_LIMIT);
  const file = resolveFlowFile(positionals[0]);
  const flow = loadFlowOrExplain(file, o, { allowErrors: true }).flow;
  const { store } = await openStoreFor(dirname(file), o);
  // Named as the runner records it: the `flow:` name, else the file name.
  const all = await store.list({ flow: flow.name?.value ?? basename(flow.file), status: values.status });
  const runs = limit === undefined ? all : all.slice(0, limit);

  if (values.json) {
    line(o.out, JSON.stringify(runs, null, 2));
    return EXIT.ok;
  }
  if (runs.length === 0) {
    line(o.out, `No runs recorded yet for ${flow.name?.value ?? file}. Start one with: flowbench run`);
    return EXIT.ok;
  }
  const varying = varyingKeys(runs.map((r) => r.params));
  const shown = varying.slice(0, MAX_PARAMS);
  // Metrics that tell the listed runs apart; with nothing to compare, the first ones.
  const metricKeys = runs.length > 1 ? varyingKeys(runs.map((r) => r.metrics)) : Object.keys(runs[0].metrics);
  const rows = [['RUN', 'STATUS', 'STARTED', 'TOOK', 'STEPS', 'PARAMS', 'METRICS']];
  for (const r of runs) {
    rows.push([
      r.id,
      paint(o, STATUS_COLOR[r.status], r.status),
      formatTime(r.start),
      r.status === 'running' ? `${formatDuration(Date.now() - r.start)}…` : formatDuration(r.durationMs),
      stepCounts(r),
      shown.map((k) => `${k}=${formatValue(r.params[k])}`).join(' ') + (varying.length > shown.length ? ` +${varying.length - shown.length}` : ''),
      metricKeys.filter((k) => k in r.metrics).slice(0, MAX_METRICS).map((k) => `${k}=${formatValue(r.metrics[k])}`).join(' '),
    ]);
  }
  for (const text of table(rows)) line(o.out, text);
  if (all.length > runs.length) line(o.out, paint(o, 'gray', `${runs.length} of ${all.length} runs shown; --limit N for more, --json for everything`));
  return EXIT.ok;
}

/** Keys whose value differs between the listed runs (in first-seen order): the ones worth showing. */
function varyingKeys(values: Record<string, unknown>[]): string[] {
  const names = new Set(values.flatMap((v) => Object.keys(v)));
  return [...names].filter((k) => new Set(values.map((v) => JSON.stringify(v[k]))).size > 1);
}

function stepCounts(r: RunSummary): string {
  const c = r.counts;
  const parts = [`${c.ran} ran`];
  if (c.cached + c.restored) parts.push(`${c.cached + c.restored} cached`);
  if (c.failed) parts.push(`${c.failed} failed`);
  return parts.join(', ');
}
