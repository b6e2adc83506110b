// The long-lived MLflow reader the experiments panel keeps per tracking location while it is open
// (`flowbench runs --source mlflow --mlflow URI --serve`, spawned by extension/panels/mlflow-runs.ts): one
// process, one open store and one index for every request, instead of a CLI child (~130 ms of Node start
// before it reads anything) per request. JSON lines: a request `{ id, op, … }` on stdin, its answer
// `{ id, ok }` or `{ id, error }` on stdout; stdin's end ends it.
// - table: MLflow's runs as the panel's table, written to the cache in .flowbench/mlflow/ (mlflow-table.ts),
//   answered with the file and its key, not as JSON: the host copies columns instead of parsing 10,000 runs.
// - histories / keys: the compare view's chart data, downsampled here (core/runs/history-buckets.ts keeps
//   finished runs' histories for the next zoom), so only per-pixel buckets cross, never every point; a chart
//   reads only its key's points, and the keys are counted by the store without reading points.
// - records: runs with every history (the row actions, and a chart mixing Flowbench's and MLflow's runs).
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { HistoryBuckets, type HistoryBucketsRequest } from '../runs/history-buckets';
import { RunTable } from '../runs/table';
import { sourceOfTable, writeSourceTable } from '../runs/table-cache';
import type { RunRecord, RunSummary } from '../runs/types';
import { mlflowRunSet } from './collect';
import { mlflowRunId } from './map';
import { runIndexFile } from './file-store-index';
import type { TrackingLocation } from './locate';
import { fileStoreKey, mlflowTableFile, racyKey, sqliteKey } from './mlflow-table';
import type { MlflowReader } from './model';

export type ServiceRequest =
  | { id: number; op: 'table'; rebuild?: boolean }
  | { id: number; op: 'records'; ids: string[] }
  | { id: number; op: 'histories'; request: HistoryBucketsRequest }
  | { id: number; op: 'keys'; ids: string[] };

/** The table in the cache file under `key`; or, when the cache cannot be written (read-only project), the runs. */
export type TableAnswer = { notes: string[] } & ({ file: string; key: string } | { summaries: RunSummary[] });

export interface ServiceOptions {
  /** The project's .flowbench/mlflow/. */
  cacheDir: string;
  input: NodeJS.ReadableStream;
  write(line: string): void;
  /** JSON.stringify's replacer for the answers (non-finite numbers as text, as `flowbench show --json`). */
  replacer?: (key: string, value: unknown) => unknown;
}

export async function serveMlflow(location: TrackingLocation, reader: MlflowReader, options: ServiceOptions): Promise<void> {
  const set = mlflowRunSet([reader]);
  const tableFile = mlflowTableFile(options.cacheDir, location);
  const indexFile = location.kind === 'file' ? runIndexFile(options.cacheDir, location.dir) : undefined;

  const table = async (rebuild = false): Promise<TableAnswer> => {
    const sqlite = location.kind === 'sqlite' ? sqliteKey(location.file) : undefined;
    const indexBefore = indexFile && fileStoreKey(indexFile);
    const { summaries, notes } = await set.load();
    let key = sqlite?.key ?? fileStoreKey(indexFile!);
    let racy = sqlite?.racy ?? false;
    if (indexFile) {
      const parsed = (reader as { lastRead?: { parsed: number } }).lastRead?.parsed ?? 1;
      // The index unwritten although runs were parsed (a read-only folder, or no index): it keys nothing.
      racy = key === 'mlruns -' || (parsed > 0 && key === indexBefore);
      if (!racy && !rebuild && sourceOfTable(tableFile) === key) return { file: tableFile, key, notes };
    }
    if (racy) key = racyKey(key);
    try {
      mkdirSync(options.cacheDir, { recursive: true });
      writeSourceTable(tableFile, key, RunTable.fromSummaries(summaries));
      return { file: tableFile, key, notes };
    } catch {
      return { summaries, notes };
    }
  };

  // Records asked in one turn (a chart's runs) are read together: one query of the store for the selection.
  // A chart's get only its key's history; each key's buckets keep finished runs' points for the next zoom.
  type Waiting = { resolve(r: RunRecord | undefined): void; reject(err: unknown): void };
  const batchedGet = (key: string) => {
    let batch: Map<string, Waiting[]> | undefined;
    return (runId: string) => new Promise<RunRecord | undefined>((resolve, reject) => {
      if (!batch) {
        const taken = (batch = new Map<string, Waiting[]>());
        setImmediate(() => {
          batch = undefined;
          set.records([...taken.keys()], key).then(
            (records) => {
              const byId = new Map(records.map((r) => [r.id, r]));
              for (const [id, waiting] of taken) for (const w of waiting) w.resolve(byId.get(id));
            },
            (err: unknown) => {
              for (const waiting of taken.values()) for (const w of waiting) w.reject(err);
            },
          );
        });
      }
      (batch.get(runId) ?? batch.set(runId, []).get(runId)!).push({ resolve, reject });
    });
  };
  const byKey = new Map<string, HistoryBuckets>();
  const bucketsOf = (key: string) => byKey.get(key) ?? byKey.set(key, new HistoryBuckets({ get: batchedGet(key) }, 1_000_000)).get(key)!;
  const historyKeys = async (ids: string[]) => {
    if (reader.historyKeys) return reader.historyKeys(ids.map((id) => mlflowRunId(id) ?? id));
    const keys = new Set<string>();
    for (const r of await set.records(ids)) for (const [k, points] of Object.entries(r.histories)) if (points.length > 0) keys.add(k);
    return [...keys].sort();
  };

  const answer = async (req: ServiceRequest): Promise<unknown> => {
    switch (req.op) {
      case 'table':
        return table(req.rebuild === true);
      case 'records':
        return set.records(req.ids);
      case 'histories':
        return bucketsOf(String(req.request.key)).answer(req.request);
      case 'keys':
        return historyKeys(req.ids);
      default:
        throw new Error(`unknown request ${JSON.stringify((req as { op?: unknown }).op)}`);
    }
  };

  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  const inFlight = new Set<Promise<void>>();
  for await (const line of lines) {
    if (!line.trim()) continue;
    let req: ServiceRequest;
    try {
      req = JSON.parse(line) as ServiceRequest;
    } catch {
      options.write(JSON.stringify({ id: -1, error: `not a JSON request: ${line.slice(0, 80)}` }));
      continue;
    }
    const done: Promise<void> = answer(req).then(
      (ok) => options.write(JSON.stringify({ id: req.id, ok }, options.replacer)),
      (err: unknown) => options.write(JSON.stringify({ id: req.id, error: describe(err) })),
    ).finally(() => inFlight.delete(done));
    inFlight.add(done);
  }
  await Promise.all(inFlight);
  reader.close?.();
}

function describe(err: unknown): string {
  const e = err as { message?: string; remedy?: string };
  return e?.message ? `${e.message}${e.remedy ? ` (${e.remedy})` : ''}` : String(err);
}
