// MLflow runs as Flowbench sees them: a RunSummary (the experiments table, `flowbench runs`) and, with its
// histories, a RunRecord (the compare view's charts, `flowbench show`). Read-only, labelled `source: 'mlflow'`.
import type { MetricPoint, RunRecord, RunRecordStatus, RunSummary, SweepTag } from '../runs/types';
import { TAG, type MlflowPoint, type MlflowRun, type MlflowStatus } from './model';

export const ID_PREFIX = 'mlflow:';

const STATUS: Record<MlflowStatus, RunRecordStatus> = {
  RUNNING: 'running',
  // Queued but not started: closest is a run that has not ended.
  SCHEDULED: 'running',
  FINISHED: 'succeeded',
  FAILED: 'failed',
  KILLED: 'cancelled',
};

export function summaryId(runId: string): string {
  return ID_PREFIX + runId;
}

/** The MLflow run uuid of a summary id (`mlflow:<uuid>`), or undefined for a Flowbench run. */
export function mlflowRunId(id: string): string | undefined {
  return id.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : undefined;
}

/** MLflow keeps every param as text; the ones that read as numbers filter and sort as numbers. */
export function paramValue(text: string): unknown {
  if (/^\s*$/.test(text)) return text;
  const n = Number(text);
  return Number.isFinite(n) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim()) ? n : text;
}

export function toSummary(run: MlflowRun, uri: string, sweep?: SweepTag): RunSummary {
  // A copy converted in place rather than an object built key by key, which V8 turns into a slow
  // dictionary past a dozen keys (core/mlflow/file-store-index.ts measured it): 10,000 runs in one read.
  const params: Record<string, unknown> = Object.assign({}, run.params);
  for (const k in params) params[k] = paramValue(params[k] as string);
  const commit = run.tags[TAG.code] ?? run.tags[TAG.gitCommit];
  return {
    id: summaryId(run.runId),
    source: 'mlflow',
    flow: run.experiment,
    flowFile: uri,
    status: STATUS[run.status],
    start: run.start,
    ...(run.end !== undefined ? { end: run.end, durationMs: Math.max(0, run.end - run.start) } : {}),
    params,
    overrides: {},
    metrics: Object.assign({}, run.metrics),
    counts: { ran: 0, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 },
    code: { ...(commit ? { commit } : {}), dirty: run.tags[TAG.dirty] === 'true' },
    ...(sweep ? { sweep } : {}),
  };
}

export function toRecord(run: MlflowRun, uri: string, histories: Record<string, MlflowPoint[]>, sweep?: SweepTag): RunRecord {
  const s = toSummary(run, uri, sweep);
  const points: Record<string, MetricPoint[]> = {};
  for (const [key, list] of Object.entries(histories)) points[key] = list.map((p) => ({ index: p.step, value: p.value, time: p.timestamp }));
  return {
    version: 1,
    id: s.id,
    source: 'mlflow',
    flow: s.flow,
    flowFile: uri,
    params: s.params,
    overrides: {},
    code: s.code,
    start: s.start,
    ...(s.end !== undefined ? { end: s.end, durationMs: s.durationMs } : {}),
    status: s.status,
    ...(sweep ? { sweep } : {}),
    steps: {},
    metrics: s.metrics,
    histories: points,
    artifacts: [],
    writer: { pid: 0, hostname: '' },
    updated: s.end ?? s.start,
  };
}
