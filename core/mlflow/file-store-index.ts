// A persisted index of the runs parsed from an `mlruns/` folder (file-store.ts), so a second read parses only
// the runs that changed. At 10,000 runs the folder is ~330,000 small files and even a bare walk of them
// takes seconds; with the index a read is one readdir per experiment, a few stats per run and one JSON file.
//
// What tells a run changed, from how MLflow's file store writes (mlflow/store/tracking/file_store.py):
// - status, end time, name: meta.yaml is replaced (overwrite_yaml: a temp file moved over it) → its stamp.
// - a new param, tag or metric key: a new file → its folder's mtime (every folder under params/, tags/
//   and metrics/ is stamped, for keys with `/`). Params never change value (MLflow refuses it).
// - a tag set again: write_to rewrites the file in place, its folder does not change → every tag file is
//   stamped.
// - a metric logged: append_to appends to the file in place → the file's stamp. Stamping every metric file
//   of every run would cost as much as reading them, so metric files are stamped only for runs still
//   RUNNING or SCHEDULED, or that ended less than RECENT_MS before the read (MLflow accepts metrics for a
//   finished run; evaluation after training does that). A metric appended to a run that ended longer ago,
//   with nothing else of it touched, is not seen until the run changes otherwise or .flowbench/mlflow/ is
//   removed (docs/cli.md says so).
// A stamp is mtime, ctime, size and inode, taken before the file is read, so a write during the read shows
// as a change next time. A run with any stamp younger than RACY_MS is not kept (the clock's tick could hide
// a second write in the same tick, as git's "racy" entries), so it is parsed again next time.
// The index is one JSON file per folder, keyed by its absolute path, written atomically; one that is
// missing, torn or of another format is ignored and rewritten.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonSync, writeJsonAtomicSync } from '../engine/atomic';
import type { MlflowRun } from './model';

const FORMAT = 1;
const RACY_MS = 2000;
export const RECENT_MS = 24 * 3600_000;

/** A run's folder as parsed: its stamps (path below the run folder → stamp), the run (none: skipped) and its notes. */
export interface IndexedRun {
  stamps: Record<string, string>;
  run?: Omit<MlflowRun, 'experimentId' | 'experiment'>;
  notes: string[];
}

/** As written: metrics that JSON cannot hold as numbers are text (jsonNumber). */
type StoredRun = Omit<IndexedRun, 'run'> & { run?: Omit<NonNullable<IndexedRun['run']>, 'metrics'> & { metrics: Record<string, number | string> } };

interface IndexFile {
  format: number;
  root: string;
  runs: Record<string, StoredRun>;
}

/** The stamp of a path, '' when it does not exist. */
export function stampOf(path: string): { stamp: string; changed: number } {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return { stamp: '', changed: 0 };
  return { stamp: `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`, changed: Math.max(s.mtimeMs, s.ctimeMs) };
}

/** Collects a run folder's stamps while it is parsed; `racy` once any is too young to trust. */
export class RunStamps {
  readonly stamps: Record<string, string> = {};
  racy = false;
  constructor(
    private readonly dir: string,
    private readonly startedAt: number,
  ) {}

  take(rel: string): void {
    const { stamp, changed } = stampOf(join(this.dir, rel));
    this.stamps[rel] = stamp;
    if (changed > this.startedAt - RACY_MS) this.racy = true;
  }
}

export interface RunIndex {
  /** The parsed run of this folder (path below the root), when none of its stamps changed. */
  fresh(rel: string, dir: string): IndexedRun | undefined;
  /** A folder parsed again; `entry` undefined when it is not to be kept (racy). */
  put(rel: string, entry: IndexedRun | undefined): void;
  /** Writes the index if anything in it changed; a folder that cannot be written only costs the next read. */
  save(): void;
  readonly reused: number;
  readonly parsed: number;
}

/** JSON has no NaN, ±Infinity or -0, which metrics can be (MLflow logs nan and inf): those go as text. */
const jsonNumber = (v: number): number | string => (Number.isFinite(v) && !Object.is(v, -0) ? v : String(Object.is(v, -0) ? '-0' : v));

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const k in o) out[k] = f(o[k]!);
  return out;
}

export function runIndexFile(cacheDir: string, root: string): string {
  return join(cacheDir, `runs-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
}

export function openRunIndex(cacheDir: string, root: string): RunIndex {
  const file = runIndexFile(cacheDir, root);
  const old = readJsonSync<IndexFile>(file);
  const before = old && old.format === FORMAT && old.root === root && old.runs && typeof old.runs === 'object' ? old.runs : {};
  const runs: Record<string, StoredRun> = {};
  let reused = 0;
  let parsed = 0;
  return {
    fresh(rel, dir) {
      const entry = before[rel];
      if (!entry) return undefined;
      for (const [path, stamp] of Object.entries(entry.stamps)) if (stampOf(join(dir, path)).stamp !== stamp) return undefined;
      runs[rel] = entry;
      reused++;
      return { ...entry, ...(entry.run ? { run: { ...entry.run, metrics: mapValues(entry.run.metrics, Number) } } : {}) } as IndexedRun;
    },
    put(rel, entry) {
      if (entry) runs[rel] = entry.run ? { ...entry, run: { ...entry.run, metrics: mapValues(entry.run.metrics, jsonNumber) } } : entry;
      parsed++;
    },
    save() {
      if (parsed === 0 && reused === Object.keys(before).length) return;
      try {
        writeJsonAtomicSync(file, { format: FORMAT, root, runs } satisfies IndexFile);
      } catch {
        // Read-only project or a full disk: the runs were read all the same.
      }
    },
    get reused() {
      return reused;
    },
    get parsed() {
      return parsed;
    },
  };
}
