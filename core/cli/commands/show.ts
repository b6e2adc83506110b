// flowbench show RUN: one run in full — params, code version, steps, metrics, histories, artifacts.
import { dirname } from 'node:path';
import type { RunRecord } from '../../runs/types';
import { AmbiguousRunIdError } from '../../runs/store';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { resolveFlowFile } from '../flow-file';
import { formatValue, OUTCOME_SYMBOL, table } from '../format';
import { formatDuration, formatTime } from '../../time-text';
import { line, nonFinite, paint, type Output } from '../output';
import { openStoreFor } from '../run-store';
import { STATUS_COLOR } from './runs';
import { mlflowRecords } from './runs-mlflow';
import { mlflowRunId } from '../../mlflow/map';
import { printProfile, printTests } from '../data-report';

export async function showCommand(args: string[], o: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('show', args, { json: { type: 'boolean' }, mlflow: { type: 'string' } }, Infinity);
  const [runId, flowArg] = positionals;
  if (!runId) throw new UsageError('which run? RUN is missing', 'list runs with flowbench runs, then flowbench show ID (a unique prefix is enough)', 'show');
  let record: RunRecord | undefined;
  if (mlflowRunId(runId) !== undefined) {
    if (positionals.length > 1) return showMlflowRuns(positionals, values.mlflow, values.json === true, o);
    record = (await mlflowRecords([runId], values.mlflow))[0];
  } else {
    if (positionals.length > 2) throw new UsageError(`show takes one run (and a flow), got ${positionals.length} arguments`, 'several runs at once are MLflow runs only: flowbench show mlflow:ID mlflow:ID …', 'show');
    const { store } = await openStoreFor(dirname(resolveFlowFile(flowArg)), o);
    try {
      record = await store.get(runId);
    } catch (err) {
      if (err instanceof AmbiguousRunIdError) throw new UsageError(err.message, 'type more of the id', 'show');
      throw err;
    }
  }
  if (!record) throw new UsageError(`no run '${runId}' is recorded for this flow`, 'list runs with flowbench runs', 'show');
  if (values.json) line(o.out, JSON.stringify(record, nonFinite, 2));
  else printRecord(o, record);
  // In an editor terminal the Flowbench extension sets this: the link opens its experiments panel on the run.
  const panel = process.env.FLOWBENCH_EXPERIMENTS_URI;
  if (!values.json && panel) line(o.out, `\nOpen in the experiments panel: ${panel}?run=${encodeURIComponent(record.id)}`);
  return EXIT.ok;
}

/** Several MLflow runs: a JSON array of the records found (what the editor's compare view asks for), or each printed. */
async function showMlflowRuns(ids: string[], explicit: string | undefined, json: boolean, o: Output): Promise<number> {
  const notRuns = ids.filter((id) => mlflowRunId(id) === undefined);
  if (notRuns.length) throw new UsageError(`'${notRuns[0]}' is not an MLflow run id`, 'several runs at once are MLflow runs only, each as mlflow:ID', 'show');
  const records = await mlflowRecords(ids, explicit);
  const found = new Set(records.map((r) => r.id));
  for (const id of ids) if (!found.has(id)) line(o.err, `flowbench: warning: no MLflow run '${id}' is listed; left out`);
  if (json) line(o.out, JSON.stringify(records, nonFinite));
  else {
    for (const [i, r] of records.entries()) {
      if (i > 0) line(o.out, '');
      printRecord(o, r);
    }
  }
  return EXIT.ok;
}

function printRecord(o: Output, r: RunRecord): void {
  const section = (title: string) => line(o.out, '\n' + paint(o, 'bold', title));
  line(o.out, `${paint(o, 'bold', `Run ${r.id}`)}  ${paint(o, STATUS_COLOR[r.status], r.status)}`);
  const code = r.code.commit ? `${r.code.commit.slice(0, 12)}${r.code.dirty ? ' with uncommitted changes' : ''}` : 'not a git checkout';
  for (const text of table([
    ['Flow', `${r.flow}  (${r.flowFile})`],
    ['Started', `${formatTime(r.start)}${r.durationMs !== undefined ? `, took ${formatDuration(r.durationMs)}` : ''}`],
    ['Code', code],
    ...(r.message ? [['Stopped', r.message]] : []),
  ])) line(o.out, text);

  const params = Object.entries(r.params);
  if (params.length) {
    section('Params');
    for (const text of table(params.map(([k, v]) => [k, formatValue(v), k in r.overrides ? paint(o, 'yellow', '(--set)') : '']))) line(o.out, '  ' + text);
  }
  section('Steps');
  const rows = Object.entries(r.steps).map(([name, s]) => {
    const symbol = s.state in OUTCOME_SYMBOL ? OUTCOME_SYMBOL[s.state as keyof typeof OUTCOME_SYMBOL] : s.state === 'running' ? '…' : '·';
    const detail = s.message ?? (s.state === 'succeeded' && s.reasons?.length ? `ran because: ${s.reasons.join('; ')}` : '');
    const attempts = s.attempts > 1 ? `${s.attempts} attempts` : '';
    return [symbol, name, s.state, formatDuration(s.durationMs), attempts, paint(o, 'gray', detail)];
  });
  for (const text of table(rows)) line(o.out, '  ' + text);

  const remote = Object.entries(r.steps).filter(([, s]) => s.remote);
  if (remote.length) {
    section('SageMaker jobs');
    const jobRows = remote.map(([name, { remote: j }]) => [
      name,
      `${j!.kind} job ${j!.jobName}`,
      `${j!.instanceCount} × ${j!.instanceType}${j!.spot ? ' spot' : ''}`,
      j!.status,
      j!.trainingSeconds !== undefined ? `${j!.trainingSeconds} s, ${j!.billableSeconds ?? '?'} s billable` : '',
      j!.estimatedCostUsd !== undefined ? `≈ $${j!.estimatedCostUsd} (list price)` : '',
      paint(o, 'gray', [j!.region, j!.attached ? 'reattached' : ''].filter(Boolean).join(', ')),
    ]);
    for (const text of table(jobRows)) line(o.out, '  ' + text);
  }
  const tested = Object.entries(r.steps).filter(([, s]) => s.tests?.length);
  if (tested.length) {
    section('Data tests');
    for (const [, s] of tested) printTests(o, s.tests!);
  }
  const profiled = Object.entries(r.steps).filter(([, s]) => s.profile);
  if (profiled.length) {
    section('Profiles');
    for (const [name, s] of profiled) {
      line(o.out, `  ${paint(o, 'bold', name)}`);
      printProfile(o, s.profile!, '    ');
    }
  }
  const metrics = Object.entries(r.metrics);
  if (metrics.length) {
    section('Metrics');
    for (const text of table(metrics.map(([k, v]) => [k, formatValue(v)]))) line(o.out, '  ' + text);
  }
  const histories = Object.entries(r.histories);
  if (histories.length) {
    section('Metric histories');
    for (const text of table(histories.map(([k, points]) => {
      const values = points.map((p) => p.value);
      return [k, `${points.length} points`, `first ${formatValue(values[0])}`, `last ${formatValue(values[values.length - 1])}`, `min ${formatValue(values.reduce((a, b) => Math.min(a, b)))}`];
    }))) line(o.out, '  ' + text);
  }
  if (r.artifacts.length) {
    section('Artifacts');
    for (const text of table(r.artifacts.map((a) => [a.path, formatBytes(a.size), paint(o, 'gray', `sha256 ${a.sha256.slice(0, 12)}…`), paint(o, 'gray', a.step)]))) line(o.out, '  ' + text);
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
