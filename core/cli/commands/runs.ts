// flowbench runs: recorded runs of a flow, newest first, with what set them apart; filtered, sorted and
// shown by column through the same query language and run table as the experiments panel.
// flowbench runs star|unstar|delete RUN: what the panel's row actions do, from a terminal.
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseColumns, parseFilter, parseSort, quote, type QueryProblem } from '../../runs/query';
import { AmbiguousRunIdError, RunInProgressError, type RunStore } from '../../runs/store';
import { describeSkipped, RunTable, type Cell } from '../../runs/table';
import type { RunSummary } from '../../runs/types';
import { parseCommandArgs, positiveInteger } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { formatValue, table } from '../format';
import { formatDuration, formatTime } from '../../time-text';
import { loadFlowOrExplain, ReportedFailure } from '../load';
import { line, nonFinite, paint, type Color, type Output } from '../output';
import { openStoreFor } from '../run-store';
import { exportAction, loadMlflowRuns, serveMlflowRuns } from './runs-mlflow';

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

const ACTIONS: Record<string, (args: string[], o: Output) => Promise<number>> = {
  export: exportAction,
  star: (args, o) => starAction(args, o, true),
  unstar: (args, o) => starAction(args, o, false),
  delete: deleteAction,
};

const LIST_OPTIONS = {
  json: { type: 'boolean' },
  limit: { type: 'string' },
  status: { type: 'string' },
  filter: { type: 'string' },
  sort: { type: 'string' },
  columns: { type: 'string' },
  starred: { type: 'boolean' },
} as const;

export async function runsCommand(args: string[], o: Output): Promise<number> {
  const action = ACTIONS[args[0]];
  if (action) return action(args.slice(1), o);
  const { values, positionals } = parseCommandArgs('runs', args, { ...LIST_OPTIONS, source: { type: 'string' }, mlflow: { type: 'string' }, serve: { type: 'boolean' } }, 1);
  if (values.source !== undefined && values.source !== 'mlflow' && values.source !== 'flowbench') {
    throw new UsageError(`--source expects flowbench or mlflow, got '${values.source}'`, 'e.g. flowbench runs --source mlflow', 'runs');
  }
  if (values.source === 'mlflow' || values.mlflow !== undefined) {
    if (values.serve) return serveMlflowRuns(values.mlflow);
    const { summaries, where } = await loadMlflowRuns(values.mlflow, o);
    return listRuns(o, values, summaries, new Set(), `No MLflow runs found in ${where}.`);
  }
  const file = resolveFlowFile(positionals[0]);
  const flow = loadFlowOrExplain(file, o, { allowErrors: true }).flow;
  const { store } = await openStoreFor(dirname(file), o);
  // Named as the runner records it: the `flow:` name, else the file name.
  const summaries = await store.list({ flow: flow.name?.value ?? basename(flow.file) });
  const starred = await store.starred();
  return listRuns(o, values, summaries, starred, `No runs recorded yet for ${flow.name?.value ?? file}. Start one with: flowbench run`);
}

type ListValues = { [K in keyof typeof LIST_OPTIONS]?: (typeof LIST_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The listing itself, through the panel's query language and run table, whichever store the runs came from. */
function listRuns(o: Output, values: ListValues, summaries: RunSummary[], starred: ReadonlySet<string>, none: string): number {
  const limit = positiveInteger(values.limit, '--limit', 'runs') ?? (values.json ? undefined : DEFAULT_LIMIT);
  const runTable = RunTable.fromSummaries(summaries, starred);
  const skipped = describeSkipped(runTable.skipped());
  if (skipped) line(o.err, `flowbench: warning: ${skipped}`);

  // With no runs yet, any params.*/metrics.* name is allowed: an empty store is not a typo.
  const known = runTable.size > 0 ? runTable.columnKeys() : undefined;
  const own = parseFilter(values.filter ?? '', known);
  reportProblems(o, '--filter', values.filter ?? '', own.problems);
  const conditions = [
    ...(own.filter ? [`(${values.filter})`] : []),
    ...(values.status !== undefined ? [`status = ${quote(values.status)}`] : []),
    ...(values.starred ? ['starred = true'] : []),
  ];
  const { filter } = parseFilter(conditions.join(' and '), known);
  const sort = parseSort(values.sort ?? '', known);
  reportProblems(o, '--sort', values.sort ?? '', sort.problems);
  const columns = values.columns !== undefined ? parseColumns(values.columns, known) : undefined;
  if (columns) reportProblems(o, '--columns', values.columns!, columns.problems);

  const view = runTable.select({ filter, sort: sort.keys });
  const shown = limit === undefined ? view : view.subarray(0, limit);
  const byId = new Map(summaries.map((s) => [s.id, s]));

  if (values.json) {
    if (columns) {
      const rows = runTable.rows(shown, 0, shown.length, columns.columns);
      line(o.out, JSON.stringify(rows.map((r) => Object.fromEntries([['id', r.id], ...columns.columns.map((c, i) => [c, jsonCell(r.cells[i])])])), null, 2));
    } else {
      line(o.out, JSON.stringify(runTable.rows(shown, 0, shown.length, []).map((r) => byId.get(r.id)), nonFinite, 2));
    }
    return EXIT.ok;
  }
  if (view.length === 0) {
    if (summaries.length === 0) line(o.out, none);
    else line(o.out, `No runs match (${summaries.length} recorded).`);
    return EXIT.ok;
  }
  if (columns) printColumns(o, runTable, shown, columns.columns);
  else printSummaries(o, runTable.rows(shown, 0, shown.length, ['starred']).map((r) => ({ summary: byId.get(r.id)!, starred: r.cells[0] === true })));
  if (view.length > shown.length) line(o.out, paint(o, 'gray', `${shown.length} of ${view.length} runs shown; --limit N for more, --json for everything`));
  return EXIT.ok;
}

/** Each problem under the text it concerns, a caret line marking the range; then exit 2. */
function reportProblems(o: Output, flag: string, text: string, problems: QueryProblem[]): void {
  if (problems.length === 0) return;
  for (const p of problems) {
    line(o.err, `flowbench: ${flag}: ${p.message}`);
    line(o.err, `  ${text}`);
    // Code points, not UTF-16 units, line up with terminal cells (tabs kept so they expand alike).
    const pad = [...text.slice(0, p.start)].map((c) => (c === '\t' ? '\t' : ' ')).join('');
    line(o.err, `  ${pad}${'^'.repeat(Math.max(1, [...text.slice(p.start, p.end)].length))}`);
  }
  line(o.err, '  see "Filters" in docs/cli.md for the language');
  throw new ReportedFailure(EXIT.usage);
}

function printSummaries(o: Output, runs: { summary: RunSummary; starred: boolean }[]): void {
  const summaries = runs.map((r) => r.summary);
  const varying = varyingKeys(summaries.map((r) => r.params));
  const shownParams = varying.slice(0, MAX_PARAMS);
  // Metrics that tell the listed runs apart; with nothing to compare, the first ones.
  const metricKeys = summaries.length > 1 ? varyingKeys(summaries.map((r) => r.metrics)) : Object.keys(summaries[0].metrics);
  const rows = [['RUN', 'STATUS', 'STARTED', 'TOOK', 'STEPS', 'PARAMS', 'METRICS']];
  for (const { summary: r, starred } of runs) {
    rows.push([
      starred ? `${r.id} ★` : r.id,
      paint(o, STATUS_COLOR[r.status] ?? 'gray', r.status),
      formatTime(r.start),
      r.status === 'running' ? `${formatDuration(Date.now() - r.start)}…` : formatDuration(r.durationMs),
      stepCounts(r),
      shownParams.map((k) => `${k}=${formatValue(r.params[k])}`).join(' ') + (varying.length > shownParams.length ? ` +${varying.length - shownParams.length}` : ''),
      metricKeys.filter((k) => k in r.metrics).slice(0, MAX_METRICS).map((k) => `${k}=${formatValue(r.metrics[k])}`).join(' '),
    ]);
  }
  for (const text of table(rows)) line(o.out, text);
}

function printColumns(o: Output, runTable: RunTable, view: Int32Array, columns: string[]): void {
  const rows = [['RUN', ...columns.map((c) => c.toUpperCase())]];
  for (const r of runTable.rows(view, 0, view.length, columns)) rows.push([r.id, ...columns.map((c, i) => formatCell(c, r.cells[i]))]);
  for (const text of table(rows)) line(o.out, text);
}

function formatCell(column: string, cell: Cell): string {
  if (cell === null) return '';
  if (column === 'start' && typeof cell === 'number') return formatTime(cell);
  if (column === 'duration' && typeof cell === 'number') return formatDuration(cell);
  if (column === 'starred') return cell ? '★' : '';
  return Number.isNaN(cell) ? 'NaN' : formatValue(cell);
}

/** JSON has no NaN: it prints as the string "NaN" so a script can tell it from a missing value. */
function jsonCell(cell: Cell): Cell {
  return typeof cell === 'number' && !Number.isFinite(cell) ? String(cell) : cell;
}

/** Keys whose value differs between the listed runs (in first-seen order): the ones worth showing. */
function varyingKeys(values: Record<string, unknown>[]): string[] {
  const names = new Set(values.flatMap((v) => Object.keys(v)));
  return [...names].filter((k) => new Set(values.map((v) => JSON.stringify(v[k]))).size > 1);
}

function stepCounts(r: RunSummary): string {
  if (r.source === 'mlflow') return 'MLflow';
  const c = r.counts;
  const parts = [`${c.ran} ran`];
  if (c.cached + c.restored) parts.push(`${c.cached + c.restored} cached`);
  if (c.failed) parts.push(`${c.failed} failed`);
  return parts.join(', ');
}

/** RUN (a unique prefix is enough) in the store of FLOW: its full id and summary. */
async function findRun(command: string, positionals: string[], o: Output): Promise<{ store: RunStore; summary: RunSummary }> {
  const [prefix, flowArg] = positionals;
  if (!prefix) throw new UsageError('which run? RUN is missing', `list runs with flowbench runs, then flowbench runs ${command} ID (a unique prefix is enough)`, 'runs');
  const { store } = await openStoreFor(dirname(resolveFlowFile(flowArg)), o);
  let id: string | undefined;
  try {
    id = (await store.get(prefix))?.id;
  } catch (err) {
    if (err instanceof AmbiguousRunIdError) throw new UsageError(err.message, 'type more of the id', 'runs');
    throw err;
  }
  const summary = id === undefined ? undefined : (await store.list()).find((s) => s.id === id);
  if (!summary) throw new UsageError(`no run '${prefix}' is recorded for this flow`, 'list runs with flowbench runs', 'runs');
  return { store, summary };
}

async function starAction(args: string[], o: Output, on: boolean): Promise<number> {
  const command = on ? 'star' : 'unstar';
  const { positionals } = parseCommandArgs('runs', args, {}, 2);
  const { store, summary } = await findRun(command, positionals, o);
  await store.star(summary.id, on);
  line(o.out, `${on ? 'Starred' : 'Unstarred'} run ${summary.id}.`);
  return EXIT.ok;
}

async function deleteAction(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('runs', args, { yes: { type: 'boolean', short: 'y' } }, 2);
  const { store, summary } = await findRun('delete', positionals, o);
  const what = `run ${summary.id} (${summary.status}, started ${formatTime(summary.start)})`;
  if (summary.status === 'running') return refuseRunning(o, summary.id);
  if (!values.yes && !(await confirm(`Delete ${what}? Its record, metric histories and logs go; cached outputs stay. [y/N] `))) {
    line(o.err, 'Nothing deleted.');
    return EXIT.failed;
  }
  try {
    await store.remove(summary.id);
  } catch (err) {
    if (err instanceof RunInProgressError) return refuseRunning(o, summary.id);
    throw err;
  }
  line(o.out, `Deleted ${what}.`);
  return EXIT.ok;
}

function refuseRunning(o: Output, id: string): number {
  line(o.err, `flowbench: run ${id} is still running; stop it first (or wait for it to end), then delete it`);
  return EXIT.failed;
}

/** Asks on stderr, reads one line from stdin; no answer (end of input) is a no. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once('close', () => resolve(undefined));
      rl.question(question).then(resolve, () => resolve(undefined));
    });
    return /^\s*y(es)?\s*$/i.test(answer ?? '');
  } finally {
    rl.close();
  }
}
