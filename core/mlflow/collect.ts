// MLflow runs as run summaries and records, from one or more tracking locations: what `flowbench runs
// --source mlflow`, `flowbench show mlflow:ID` and the experiments panel's MLflow source share.
import type { RunRecord, RunSummary, SweepTag } from '../runs/types';
import { mlflowRunId, summaryId, toRecord, toSummary } from './map';
import { TAG, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

export interface MlflowRunSet {
  load(): Promise<{ summaries: RunSummary[]; notes: string[] }>;
  /** One run with its histories (metrics logged at more than one point), or undefined if not listed. */
  record(id: string): Promise<RunRecord | undefined>;
  /** Several at once (the compare view's selection), those not found left out, in the order asked; `key`: only its history. */
  records(ids: readonly string[], key?: string): Promise<RunRecord[]>;
}

/**
 * MLflow's nested runs (mlflow.parentRunId: a hyperparameter search's trials under one parent run) as a
 * sweep named after the parent, so the panel groups, filters and charts them as it does Flowbench's sweeps.
 */
export function nestedSweeps(runs: readonly MlflowRun[]): Map<string, SweepTag> {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const children = new Map<string, MlflowRun[]>();
  for (const run of runs) {
    const parent = run.tags[TAG.parentRunId];
    if (parent && parent !== run.runId) (children.get(parent) ?? children.set(parent, []).get(parent)!).push(run);
  }
  const sweeps = new Map<string, SweepTag>();
  for (const [parent, list] of children) {
    list.sort((a, b) => a.start - b.start || (a.runId < b.runId ? -1 : 1));
    const p = byId.get(parent);
    const name = p?.name ?? p?.tags[TAG.runName] ?? parent.slice(0, 8);
    list.forEach((run, variant) => sweeps.set(run.runId, { name, id: summaryId(parent), variant, of: list.length }));
  }
  return sweeps;
}

export function mlflowRunSet(readers: MlflowReader[]): MlflowRunSet {
  const known = new Map<string, { run: MlflowRun; reader: MlflowReader; sweep?: SweepTag }>();
  let loaded = false;
  const load = async () => {
    known.clear();
    const summaries: RunSummary[] = [];
    const notes: string[] = [];
    for (const reader of readers) {
      const listed = await reader.list();
      notes.push(...listed.notes);
      const sweeps = nestedSweeps(listed.runs);
      for (const run of listed.runs) {
        // The same run reachable twice (mlruns/ and a server in front of it) is listed once.
        if (known.has(run.runId)) continue;
        const sweep = sweeps.get(run.runId);
        known.set(run.runId, { run, reader, ...(sweep ? { sweep } : {}) });
        summaries.push(toSummary(run, reader.uri, sweep));
      }
    }
    loaded = true;
    return { summaries, notes };
  };
  /** A listed run's record, its histories asked for one metric at a time. */
  const fromListing = async (entry: { run: MlflowRun; reader: MlflowReader; sweep?: SweepTag }, only?: string) => {
    const histories: Record<string, MlflowPoint[]> = {};
    for (const key of only === undefined ? Object.keys(entry.run.metrics) : only in entry.run.metrics ? [only] : []) {
      const points = await entry.reader.history(entry.run.runId, key);
      if (points.length > 1) histories[key] = points;
    }
    return toRecord(entry.run, entry.reader.uri, histories, entry.sweep);
  };
  const records = async (ids: readonly string[], key?: string) => {
    const wanted = [...new Set(ids.map((id) => mlflowRunId(id) ?? id))];
    const found = new Map<string, RunRecord>();
    for (const reader of readers) {
      const left = wanted.filter((id) => !found.has(id));
      if (!left.length) break;
      if (reader.records) {
        // Looked up by id, without listing every run; a nested run's sweep is known once listed.
        for (const { run, histories } of await reader.records(left, key)) found.set(run.runId, toRecord(run, reader.uri, histories, known.get(run.runId)?.sweep));
        continue;
      }
      if (!loaded || left.some((id) => !known.has(id))) await load();
      for (const id of left) {
        const entry = known.get(id);
        if (entry?.reader === reader) found.set(id, await fromListing(entry, key));
      }
    }
    return wanted.flatMap((id) => found.get(id) ?? []);
  };
  return {
    load,
    records,
    async record(id) {
      return (await records([id]))[0];
    },
  };
}
