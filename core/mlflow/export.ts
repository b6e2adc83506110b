// Flowbench runs into MLflow: params, final metrics, histories with their steps, and tags naming the flow,
// the code version and the status. To a tracking server (runs/create, runs/log-batch within MLflow's batch
// limits, runs/update) or an mlruns/ folder. Idempotent: a run carrying the tag flowbench.run_id of the
// record is found and left alone, so exporting twice creates nothing new.
import type { RunRecord, RunRecordStatus } from '../runs/types';
import { TAG, type MlflowStatus } from './model';
import type { MlflowRest } from './rest';

/** MLflow's log-batch limits (documented for runs/log-batch). */
export const BATCH = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;
/** MLflow refuses longer param values (6000 since MLflow 2.x). */
export const MAX_PARAM_LENGTH = 6000;

export interface ExportOutcome {
  id: string;
  /** `exported`: a new MLflow run; `present`: a run with this flowbench.run_id was already there. */
  result: 'exported' | 'present' | 'skipped';
  mlflowRunId?: string;
  note?: string;
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

const STATUS: Record<Exclude<RunRecordStatus, 'running'>, MlflowStatus> = {
  succeeded: 'FINISHED',
  failed: 'FAILED',
  cancelled: 'KILLED',
  interrupted: 'KILLED',
};

export function mlflowStatus(status: RunRecordStatus): MlflowStatus | undefined {
  return status === 'running' ? undefined : STATUS[status];
}

/** Names MLflow accepts for params, metrics and tags (alphanumerics, _ - . space : and /, no `..`). */
export function validKey(key: string): boolean {
  return key.length > 0 && key.length <= 250 && /^[\w\-. :/]+$/.test(key) && !key.startsWith('/') && !key.split('/').some((part) => part === '..' || part === '.' || part === '');
}

export function paramText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value) ?? 'null';
}

/** What one record becomes in MLflow, keys MLflow would refuse left out with a note. */
export function exportContent(record: RunRecord): { params: Record<string, string>; metrics: MlflowMetric[]; tags: Record<string, string>; notes: string[] } {
  const notes: string[] = [];
  const keep = (what: string, key: string) => {
    if (validKey(key)) return true;
    notes.push(`${what} '${key}' has a name MLflow refuses; left out`);
    return false;
  };
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(record.params)) {
    if (!keep('param', key)) continue;
    const text = paramText(value);
    if (text.length > MAX_PARAM_LENGTH) notes.push(`param '${key}' is longer than MLflow's ${MAX_PARAM_LENGTH} characters; left out`);
    else params[key] = text;
  }
  const metrics: MlflowMetric[] = [];
  const at = record.end ?? record.updated ?? record.start;
  const keys = new Set([...Object.keys(record.histories ?? {}), ...Object.keys(record.metrics)]);
  for (const key of keys) {
    if (!keep('metric', key)) continue;
    const history = record.histories?.[key] ?? [];
    let last: MlflowMetric | undefined;
    for (const p of history) {
      const m = { key, value: p.value, timestamp: Math.round(p.time), step: Math.round(p.index) };
      metrics.push(m);
      if (!last || m.step >= last.step) last = m;
    }
    // A record keeps NaN and ±Infinity as null (JSON has no such numbers): they go out as NaN.
    const raw = record.metrics[key] as number | null | undefined;
    const final = raw === null ? NaN : raw;
    // MLflow shows a metric's point at the highest step: the final value goes after the history unless it is its end.
    if (typeof final === 'number' && !(last && Object.is(last.value, final))) metrics.push({ key, value: final, timestamp: Math.round(at), step: last ? last.step + 1 : 0 });
  }
  const tags: Record<string, string> = {
    [TAG.runId]: record.id,
    [TAG.flow]: record.flow,
    [TAG.flowFile]: record.flowFile,
    [TAG.status]: record.status,
    [TAG.dirty]: String(record.code.dirty),
    [TAG.runName]: record.id,
    ...(record.code.commit ? { [TAG.code]: record.code.commit, [TAG.gitCommit]: record.code.commit } : {}),
  };
  return { params, metrics, tags, notes };
}

/** MLflow's JSON carries NaN and ±Infinity as strings (protobuf's JSON mapping). */
function jsonValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

/** log-batch requests for one run: each within every per-kind limit and the total. */
export function batches(content: ReturnType<typeof exportContent>): { params: { key: string; value: string }[]; metrics: Record<string, unknown>[]; tags: { key: string; value: string }[] }[] {
  const params = Object.entries(content.params).map(([key, value]) => ({ key, value }));
  const tags = Object.entries(content.tags).map(([key, value]) => ({ key, value }));
  const metrics = content.metrics.map((m) => ({ key: m.key, value: jsonValue(m.value), timestamp: m.timestamp, step: m.step }));
  const out: ReturnType<typeof batches> = [];
  let p = 0, t = 0, m = 0;
  while (p < params.length || t < tags.length || m < metrics.length) {
    const ps = params.slice(p, p + BATCH.params);
    const ts = tags.slice(t, t + Math.min(BATCH.tags, BATCH.total - ps.length));
    const ms = metrics.slice(m, m + Math.min(BATCH.metrics, BATCH.total - ps.length - ts.length));
    p += ps.length; t += ts.length; m += ms.length;
    out.push({ params: ps, metrics: ms, tags: ts });
  }
  return out;
}

function quoteFilter(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** To a tracking server. */
export async function exportToServer(api: MlflowRest, records: RunRecord[]): Promise<ExportOutcome[]> {
  const experiments = new Map<string, string>();
  const experimentId = async (name: string) => {
    let id = experiments.get(name);
    if (id !== undefined) return id;
    try {
      id = (await api.call<{ experiment: { experiment_id: string; lifecycle_stage?: string } }>('GET', 'experiments/get-by-name', { experiment_name: name })).experiment.experiment_id;
    } catch (err) {
      if ((err as { errorCode?: string }).errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw err;
      id = (await api.call<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id;
    }
    experiments.set(name, String(id));
    return String(id);
  };
  const outcomes: ExportOutcome[] = [];
  for (const record of records) {
    const status = mlflowStatus(record.status);
    if (!status) {
      outcomes.push({ id: record.id, result: 'skipped', note: 'still running; export it once it ended' });
      continue;
    }
    const expId = await experimentId(record.flow);
    const found = await api.call<{ runs?: { info: { run_id: string; status: string } }[] }>('POST', 'runs/search', {
      experiment_ids: [expId], filter: `tags.\`${TAG.runId}\` = ${quoteFilter(record.id)}`, max_results: 10, run_view_type: 'ACTIVE_ONLY',
    });
    const done = found.runs?.find((r) => r.info.status !== 'RUNNING');
    if (done) {
      outcomes.push({ id: record.id, result: 'present', mlflowRunId: done.info.run_id });
      continue;
    }
    // A run left RUNNING is an export that was cut off half-way: it goes, and the run is logged anew.
    for (const r of found.runs ?? []) await api.call('POST', 'runs/delete', { run_id: r.info.run_id });
    const content = exportContent(record);
    const created = await api.call<{ run: { info: { run_id: string } } }>('POST', 'runs/create', {
      experiment_id: expId, run_name: record.id, start_time: Math.round(record.start), tags: [{ key: TAG.runId, value: record.id }],
    });
    const runId = created.run.info.run_id;
    for (const batch of batches(content)) await api.call('POST', 'runs/log-batch', { run_id: runId, ...batch });
    await api.call('POST', 'runs/update', { run_id: runId, status, end_time: Math.round(record.end ?? record.updated ?? record.start) });
    outcomes.push({ id: record.id, result: 'exported', mlflowRunId: runId, ...(content.notes.length ? { note: content.notes.join('; ') } : {}) });
  }
  return outcomes;
}
