// MLflow runs as run summaries and records, from one or more tracking locations: what `flowbench runs
// --source mlflow`, `flowbench show mlflow:ID` and the experiments panel's MLflow source share.
import type { RunRecord, RunSummary } from '../runs/types';
import { mlflowRunId, toRecord, toSummary } from './map';
import type { MlflowPoint, MlflowReader, MlflowRun } from './model';

export interface MlflowRunSet {
  load(): Promise<{ summaries: RunSummary[]; notes: string[] }>;
  /** One run with its histories (metrics logged at more than one point), or undefined if not listed. */
  record(id: string): Promise<RunRecord | undefined>;
}

export function mlflowRunSet(readers: MlflowReader[]): MlflowRunSet {
  const known = new Map<string, { run: MlflowRun; reader: MlflowReader }>();
  const load = async () => {
    known.clear();
    const summaries: RunSummary[] = [];
    const notes: string[] = [];
    for (const reader of readers) {
      const listed = await reader.list();
      notes.push(...listed.notes);
      for (const run of listed.runs) {
        // The same run reachable twice (mlruns/ and a server in front of it) is listed once.
        if (known.has(run.runId)) continue;
        known.set(run.runId, { run, reader });
        summaries.push(toSummary(run, reader.uri));
      }
    }
    return { summaries, notes };
  };
  return {
    load,
    async record(id) {
      const runId = mlflowRunId(id) ?? id;
      if (!known.has(runId)) await load();
      const entry = known.get(runId);
      if (!entry) return undefined;
      const histories: Record<string, MlflowPoint[]> = {};
      for (const key of Object.keys(entry.run.metrics)) {
        const points = await entry.reader.history(runId, key);
        if (points.length > 1) histories[key] = points;
      }
      return toRecord(entry.run, entry.reader.uri, histories);
    },
  };
}
