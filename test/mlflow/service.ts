// The MLflow reader service (core/mlflow/reader-service.ts) in this process, over real readers: requests
// written to its input, answers matched by id.
import { PassThrough } from 'node:stream';
import type { TrackingLocation } from '../../core/mlflow/locate';
import type { MlflowReader } from '../../core/mlflow/model';
import { serveMlflow } from '../../core/mlflow/reader-service';
import { RunTable } from '../../core/runs/table';
import type { RunSummary } from '../../core/runs/types';
import type { SummarySink } from '../../core/runs/store';
import type { RunSource } from '../../extension/panels/experiments-controller';
import type { WireMessage } from '../../webviews/platform/protocol';

export function startService(location: TrackingLocation, reader: MlflowReader, cacheDir: string) {
  const input = new PassThrough();
  const waiting = new Map<number, (answer: { ok?: unknown; error?: string }) => void>();
  let next = 1;
  const served = serveMlflow(location, reader, {
    cacheDir,
    input,
    write: (line) => {
      const answer = JSON.parse(line) as { id: number; ok?: unknown; error?: string };
      waiting.get(answer.id)?.(answer);
      waiting.delete(answer.id);
    },
  });
  return {
    ask<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, (a) => (a.error !== undefined ? reject(new Error(a.error)) : resolve(a.ok as T)));
        input.write(JSON.stringify({ id, op, ...args }) + '\n');
      });
    },
    async close(): Promise<void> {
      input.end();
      await served;
    },
  };
}

/** A sink over a RunTable, as the experiments controller's is. */
export function tableSink(): { sink: SummarySink; table: RunTable; ids(): string[]; cell(id: string, column: string): unknown } {
  const table = RunTable.fromSummaries([]);
  return {
    table,
    sink: {
      put: (s: RunSummary) => void table.upsert(s),
      drop: (id: string) => void table.remove(id),
      putTable: (runs: RunTable) => table.absorb(runs),
    },
    ids: () => table.ids().sort(),
    cell: (id, column) => table.rows([table.rowOf(id)!], 0, 1, [column])[0]!.cells[0],
  };
}

/**
 * Loads until no location is still being read for the first time or checked after a table shown from the
 * cache (each arrival, and each check's end, announced by `watch`).
 */
export async function loadSettled(source: RunSource, sink: SummarySink): Promise<{ notes: string[] }> {
  for (;;) {
    const arrived = new Promise<void>((resolve) => source.watch!(resolve));
    const result = await source.load(sink);
    if (!result.notes.some((n) => n.startsWith('Reading MLflow runs') || n.startsWith('Checking MLflow runs'))) return result;
    await arrived;
  }
}

/** What a controller posts, and the next message of a method as a promise (a reload's ResultChanged, Notes). */
export function postBox(): { posted: WireMessage[]; post(m: WireMessage): void; next(method: string): Promise<WireMessage> } {
  const posted: WireMessage[] = [];
  const waiters: { method: string; resolve(m: WireMessage): void }[] = [];
  return {
    posted,
    post(m) {
      posted.push(m);
      const i = waiters.findIndex((w) => w.method === m.method);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    },
    next: (method) => new Promise((resolve) => waiters.push({ method, resolve })),
  };
}
