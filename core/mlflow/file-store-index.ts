// The index of an mlruns/ folder's parsed runs, under the project's .flowbench/mlflow/: each run folder with
// the stamps (mtime, ctime, size, inode) of every file and folder that tells it changed, so a read parses
// only the folders whose stamps moved. What is stamped follows how MLflow's FileStore writes (file-store.ts
// takes the stamps): meta.yaml is replaced (a rename, or a copy over it across file systems), a tag is
// rewritten in place (only the file's own stamp moves), params and new metric keys are new files (their
// folder's stamp moves), and metric lines are appended (the file's stamp moves: watched while a run is
// open or ended within RECENT_MS). A stamp younger than RACY_MS is not trusted: a second write in the same
// clock tick could hide behind it, so that run is not kept and is parsed again next time.
//
// The file is built for the warm read (10,000 runs, 70,000 stamps, test/bench/mlflow.bench.ts): stamps
// are one Float64Array block after a JSON header, compared as numbers, and the header holds each run as a
// tuple whose key lists (params, tags, metrics, stamped paths) are stored once and shared, so neither the
// 70,000 stamps nor 320,000 repeated key names are parsed as JSON text. Stamps are checked with statSync:
// fs.stat on libuv's thread pool (64 in flight) cost 2.6× the CPU for those 70,000 stats and was no faster
// in wall time on 2 cores (measured under load 14: 0.5 s CPU sync, 1.3–1.6 s async).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../runs/atomic';
import { NUMBER_BY_STATUS, STATUS_BY_NUMBER, type MlflowRun } from './model';

const MAGIC = 'FBMLIDX2';
const RACY_MS = 2000;
export const RECENT_MS = 24 * 3600_000;
/** Numbers per stamp: mtimeMs, ctimeMs, size, ino; a path that does not exist is all zeros. */
const STAMP = 4;

type ParsedRun = Omit<MlflowRun, 'experimentId' | 'experiment'>;

/** A run's folder as parsed: stamped paths (below the run folder) and their stamps, the run (none: skipped), its notes. */
export interface IndexedRun {
  paths: string[];
  stamps: ArrayLike<number>;
  run?: ParsedRun;
  notes: string[];
}

function stampInto(out: number[] | Float64Array, at: number, s: { mtimeMs: number; ctimeMs: number; size: number; ino: number } | undefined): number {
  out[at] = s ? s.mtimeMs : 0;
  out[at + 1] = s ? s.ctimeMs : 0;
  out[at + 2] = s ? s.size : 0;
  out[at + 3] = s ? s.ino : 0;
  return s ? Math.max(s.mtimeMs, s.ctimeMs) : 0;
}

/** Collects a run folder's stamps while it is parsed; `racy` once any is too young to trust. */
export class RunStamps {
  readonly paths: string[] = [];
  readonly stamps: number[] = [];
  racy = false;
  constructor(
    private readonly dir: string,
    private readonly startedAt: number,
  ) {}

  take(rel: string): void {
    this.paths.push(rel);
    const changed = stampInto(this.stamps, this.stamps.length, statSync(join(this.dir, rel), { throwIfNoEntry: false }));
    if (changed > this.startedAt - RACY_MS) this.racy = true;
  }
}

export interface RunIndex {
  /** Stats the stamps of the indexed folders among `dirs` (path below the root → folder), up to the first that moved. */
  check(dirs: ReadonlyMap<string, string>): void;
  /** The parsed run of this folder when check() found none of its stamps changed. */
  fresh(rel: string): IndexedRun | undefined;
  /** A folder parsed again; `entry` undefined when it is not to be kept (racy). */
  put(rel: string, entry: IndexedRun | undefined): void;
  /** Writes the index if anything in it changed; a folder that cannot be written only costs the next read. */
  save(): void;
  readonly reused: number;
  readonly parsed: number;
}

/**
 * A run as stored: [runId, name ('' none), status number, start, end (null none), then per params, tags,
 * metrics: the index of its key list and the values in that order]. Metrics JSON cannot hold (NaN, ±Infinity,
 * -0) are text.
 */
type RunTuple = [string, string, number, number, number | null, number, string[], number, string[], number, (number | string)[]];

/** [path below the root, index of the stamped paths' list, the run (0: skipped), its notes]. */
type EntryTuple = [string, number, RunTuple | 0, string[]];

interface Header {
  root: string;
  lists: string[][];
  entries: EntryTuple[];
  stamps: number;
}

const jsonNumber = (v: number): number | string => (Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : String(v));

export function runIndexFile(cacheDir: string, root: string): string {
  return join(cacheDir, `runs-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.idx`);
}

/** The header and stamps of an index file, or undefined for a missing, torn or foreign one. */
function readIndex(file: string, root: string): { header: Header; stamps: Float64Array } | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const headerEnd = 12 + buf.readUInt32LE(8);
  const stampsAt = Math.ceil(headerEnd / 8) * 8;
  if (stampsAt > buf.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, headerEnd)) as Header;
  } catch {
    return undefined;
  }
  if (header.root !== root || !Array.isArray(header.entries) || !Array.isArray(header.lists) || buf.length - stampsAt !== header.stamps * 8) return undefined;
  // readFileSync gives a buffer of its own for a file this size, but a view needs 8-byte alignment.
  const aligned = (buf.byteOffset + stampsAt) % 8 === 0 ? buf : Buffer.from(buf);
  return { header, stamps: new Float64Array(aligned.buffer, aligned.byteOffset + stampsAt, header.stamps) };
}

/**
 * Objects of one key list are copies of a template JSON.parse made: V8 turns an object built key by key
 * past a dozen keys into a slow dictionary, while a copy of a fast object keeps its shape, and storing
 * to keys it already has adds none (measured: copying 10,000 20-key metrics objects 2.7× faster).
 */
function objectMaker(lists: string[][]): (id: number, values: unknown[] | undefined) => Record<string, unknown> {
  const templates: Record<string, unknown>[] = [];
  return (id, values) => {
    const keys = lists[id];
    if (!keys || !values) return {};
    const template = (templates[id] ??= JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 0])))) as Record<string, unknown>);
    const out = Object.assign({}, template);
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i];
    return out;
  };
}

function decodeRun(t: RunTuple, make: ReturnType<typeof objectMaker>): ParsedRun {
  const metrics = make(t[9], t[10]);
  for (const k in metrics) if (typeof metrics[k] !== 'number') metrics[k] = Number(metrics[k]);
  const status = STATUS_BY_NUMBER[t[2]] ?? 'RUNNING';
  return {
    runId: t[0], ...(t[1] ? { name: t[1] } : {}), status, start: t[3], ...(t[4] !== null ? { end: t[4] } : {}),
    params: make(t[5], t[6]) as Record<string, string>, metrics: metrics as Record<string, number>, tags: make(t[7], t[8]) as Record<string, string>,
  };
}

export function openRunIndex(cacheDir: string, root: string): RunIndex {
  const file = runIndexFile(cacheDir, root);
  const old = readIndex(file, root);
  const before = new Map<string, { entry: EntryTuple; at: number }>();
  if (old) {
    let at = 0;
    for (const entry of old.header.entries) {
      const paths = old.header.lists[entry[1]];
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !paths) return openEmpty();
      before.set(entry[0], { entry, at });
      at += paths.length * STAMP;
    }
    if (at !== old.stamps.length) return openEmpty();
  }
  return indexOver(file, root, before, old);

  function openEmpty(): RunIndex {
    return indexOver(file, root, new Map(), undefined);
  }
}

function indexOver(file: string, root: string, before: Map<string, { entry: EntryTuple; at: number }>, old: { header: Header; stamps: Float64Array } | undefined): RunIndex {
  const lists = old?.header.lists ?? [];
  const listIds = new Map<string, number>();
  const listId = (keys: string[]): number => {
    const k = keys.join('\0');
    let id = listIds.get(k);
    if (id === undefined) {
      id = lists.length;
      lists.push(keys);
      listIds.set(k, id);
    }
    return id;
  };
  for (let i = 0; i < lists.length; i++) listIds.set(lists[i]!.join('\0'), i);
  const make = objectMaker(lists);
  const checked = new Set<string>();
  /** What is written next: kept entries point at old stamps, new ones carry their own. */
  const kept = new Map<string, { entry: EntryTuple; stamps: ArrayLike<number>; at: number }>();
  let reused = 0;
  let parsed = 0;
  return {
    check(dirs) {
      if (!old) return;
      const stamps = old.stamps;
      for (const [rel, dir] of dirs) {
        const b = before.get(rel);
        if (!b) continue;
        const paths = lists[b.entry[1]]!;
        let ok = true;
        for (let i = 0, at = b.at; ok && i < paths.length; i++, at += STAMP) {
          // Concatenated rather than join()ed: 70,000 paths, and the parts are already normal.
          const s = statSync(`${dir}/${paths[i]}`, { throwIfNoEntry: false });
          ok = s ? s.mtimeMs === stamps[at] && s.ctimeMs === stamps[at + 1] && s.size === stamps[at + 2] && s.ino === stamps[at + 3] : stamps[at] === 0 && stamps[at + 1] === 0;
        }
        if (ok) checked.add(rel);
      }
    },
    fresh(rel) {
      if (!checked.has(rel)) return undefined;
      const { entry, at } = before.get(rel)!;
      const paths = lists[entry[1]]!;
      kept.set(rel, { entry, stamps: old!.stamps, at });
      reused++;
      return { paths, stamps: old!.stamps.subarray(at, at + paths.length * STAMP), ...(entry[2] ? { run: decodeRun(entry[2], make) } : {}), notes: entry[3] };
    },
    put(rel, entry) {
      parsed++;
      if (!entry) return;
      const r = entry.run;
      const run: RunTuple | 0 = r
        ? [
            r.runId, r.name ?? '', NUMBER_BY_STATUS[r.status], r.start, r.end ?? null,
            listId(Object.keys(r.params)), Object.values(r.params),
            listId(Object.keys(r.tags)), Object.values(r.tags),
            listId(Object.keys(r.metrics)), Object.values(r.metrics).map(jsonNumber),
          ]
        : 0;
      kept.set(rel, { entry: [rel, listId(entry.paths), run, entry.notes], stamps: entry.stamps, at: 0 });
    },
    save() {
      if (parsed === 0 && reused === before.size) return;
      // Key lists no kept entry uses any more are dropped, the others renumbered in order of use.
      const used: string[][] = [];
      const renumbered = new Map<number, number>();
      const use = (id: number): number => {
        let n = renumbered.get(id);
        if (n === undefined) {
          n = used.length;
          used.push(lists[id]!);
          renumbered.set(id, n);
        }
        return n;
      };
      const entries: EntryTuple[] = [];
      let count = 0;
      for (const { entry } of kept.values()) {
        const r = entry[2];
        entries.push([entry[0], use(entry[1]), r ? [r[0], r[1], r[2], r[3], r[4], use(r[5]), r[6], use(r[7]), r[8], use(r[9]), r[10]] : 0, entry[3]]);
        count += lists[entry[1]]!.length * STAMP;
      }
      const stamps = new Float64Array(count);
      let at = 0;
      for (const { entry, stamps: from, at: fromAt } of kept.values()) {
        const n = lists[entry[1]]!.length * STAMP;
        for (let i = 0; i < n; i++) stamps[at + i] = from[fromAt + i]!;
        at += n;
      }
      const header = Buffer.from(JSON.stringify({ root, lists: used, entries, stamps: count } satisfies Header));
      const head = Buffer.alloc(12);
      head.write(MAGIC, 0, 'latin1');
      head.writeUInt32LE(header.length, 8);
      const pad = Buffer.alloc(Math.ceil((12 + header.length) / 8) * 8 - 12 - header.length);
      try {
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileAtomic(file, Buffer.concat([head, header, pad, Buffer.from(stamps.buffer)]));
        // The JSON index of earlier versions, 16 MB at 10,000 runs, is read no more.
        rmSync(file.replace(/\.idx$/, '.json'), { force: true });
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
