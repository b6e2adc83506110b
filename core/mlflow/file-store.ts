// MLflow's file store, the `mlruns/` folder: `<exp>/meta.yaml`, `<exp>/<run>/meta.yaml` (integer status),
// `<run>/metrics/<key>` lines `timestamp value [step]`, `<run>/params/<key>`, `<run>/tags/<key>` (keys with
// `/` are nested folders). Pure JS, so it runs in the extension host. What is torn or missing is skipped
// with a note naming the file, never thrown; `.trash/` (deleted experiments) and deleted runs are left out.
// Reads are synchronous on purpose: a store of 10,000 runs is ~330,000 small files, and fs/promises costs
// 7× readFileSync per file there (measured: 14 s vs 2 s for 33,000 files, test/bench/mlflow.bench.ts has
// the figures). The extension host therefore reads mlruns/ through the CLI in a child process.
// With a cache folder (the CLI passes the project's .flowbench/mlflow/) parsed runs are kept in an index
// (file-store-index.ts) and a read parses only the run folders whose stamps changed.
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { openRunIndex, RECENT_MS, RunStamps, type IndexedRun, type RunIndex } from './file-store-index';
import { isLater, MlflowError, parseNumber, STATUS_BY_NUMBER, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

/** Folders of an experiment that are not runs (MLflow 3 keeps logged models and traces there). */
const NOT_RUNS = new Set(['models', 'traces', 'datasets', 'artifacts']);

export interface FileStoreOptions {
  /** Where the index of parsed runs lives; without it every read parses every file. */
  cacheDir?: string;
  /** The time of a read, in ms (tests read "later" rather than wait out the racy window). */
  clock?: () => number;
}

/** What the last read took from the index and what it parsed (the bench and tests print and check it). */
export interface FileStoreReadStats {
  reused: number;
  parsed: number;
}

export function fileStoreReader(root: string, uri = root, options: FileStoreOptions = {}): MlflowReader & { lastRead?: FileStoreReadStats } {
  const runDirs = new Map<string, string>();
  return {
    uri,
    lastRead: undefined as FileStoreReadStats | undefined,
    async list() {
      const startedAt = (options.clock ?? Date.now)();
      const index = options.cacheDir ? openRunIndex(options.cacheDir, root) : undefined;
      const notes: string[] = [];
      const note = (path: string, what: string) => notes.push(`${relative(root, path) || path}: ${what}`);
      let top: Dirent[];
      try {
        top = readdirSync(root, { withFileTypes: true });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new MlflowError(`cannot read the MLflow folder ${root}: ${e.code === 'ENOENT' ? 'it does not exist' : e.message}`, 'point --mlflow (or MLFLOW_TRACKING_URI) at an mlruns/ folder');
      }
      const runs: MlflowRun[] = [];
      runDirs.clear();
      const experiments: { experimentId: string; experiment: string; dirs: Map<string, string> }[] = [];
      const all = new Map<string, string>();
      for (const entry of top) {
        if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'models') continue;
        const expDir = join(root, entry.name);
        const meta = readMeta(join(expDir, 'meta.yaml'), note);
        if (!meta) continue;
        if (meta.lifecycle_stage === 'deleted') continue;
        const experimentId = String(meta.experiment_id ?? entry.name);
        const dirs = new Map<string, string>();
        for (const d of readdirSync(expDir, { withFileTypes: true })) {
          if (!d.isDirectory() || d.name.startsWith('.') || NOT_RUNS.has(d.name)) continue;
          const rel = `${entry.name}/${d.name}`;
          dirs.set(rel, join(expDir, d.name));
          all.set(rel, join(expDir, d.name));
        }
        experiments.push({ experimentId, experiment: typeof meta.name === 'string' ? meta.name : experimentId, dirs });
      }
      index?.check(all);
      for (const { experimentId, experiment, dirs } of experiments) {
        for (const [rel, dir] of dirs) {
          const indexed = indexedRun(root, dir, rel, index, startedAt);
          for (const n of indexed.notes) notes.push(n);
          if (!indexed.run) continue;
          runDirs.set(indexed.run.runId, dir);
          runs.push({ ...indexed.run, experimentId, experiment });
        }
      }
      if (index) {
        index.save();
        this.lastRead = { reused: index.reused, parsed: index.parsed };
      }
      return { runs, notes };
    },
    async history(runId, key) {
      if (!runDirs.has(runId)) await this.list();
      const dir = runDirs.get(runId);
      if (!dir) return [];
      const text = readText(join(dir, 'metrics', key));
      return text === undefined ? [] : parseMetricLines(text, () => undefined).points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    },
  };
}

type Note = (path: string, what: string) => void;

/** A run folder from the index when its stamps say it is unchanged, else parsed (and indexed unless racy). */
function indexedRun(root: string, dir: string, rel: string, index: RunIndex | undefined, startedAt: number): IndexedRun {
  const kept = index?.fresh(rel);
  if (kept) return kept;
  const notes: string[] = [];
  const stamps = new RunStamps(dir, startedAt);
  const run = readRun(dir, (path, what) => notes.push(`${relative(root, path) || path}: ${what}`), index ? stamps : undefined, startedAt);
  const entry = { paths: stamps.paths, stamps: stamps.stamps, ...(run ? { run } : {}), notes };
  index?.put(rel, stamps.racy ? undefined : entry);
  return entry;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const SCALAR_LINE = /^([A-Za-z_]+): ?(.*)$/;

/**
 * MLflow's meta.yaml as PyYAML's safe_dump writes it: one `key: scalar` per line. Read directly when every
 * line is that simple (the yaml package costs ~0.2 ms a file, 2 s at 10,000 runs); anything else, a torn
 * file included, goes to the yaml package, which also words the error.
 */
function flatMeta(text: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (!line) continue;
    const m = SCALAR_LINE.exec(line);
    if (!m) return undefined;
    const raw = m[2]!;
    if (raw === '' || raw === 'null' || raw === '~') out[m[1]!] = null;
    else if (raw === '[]') out[m[1]!] = [];
    else if (/^'[^']*'$/.test(raw)) out[m[1]!] = raw.slice(1, -1);
    else if (/^[-+]?\d+$/.test(raw)) out[m[1]!] = Number(raw);
    else if (/^[\w./:-][\w ./:@+-]*$/.test(raw) && !/^(true|false|yes|no|on|off)$/i.test(raw) && !/ $/.test(raw) && !/: /.test(raw)) out[m[1]!] = raw;
    else return undefined;
  }
  return Object.keys(out).length ? out : undefined;
}

function readMeta(path: string, note: Note): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    note(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'meta.yaml is missing; skipped' : `cannot be read (${(err as Error).message}); skipped`);
    return undefined;
  }
  const flat = flatMeta(text);
  if (flat) return flat;
  try {
    const meta: unknown = parseYaml(text);
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) return meta as Record<string, unknown>;
    note(path, 'is empty or not a mapping (torn write?); skipped');
  } catch (err) {
    note(path, `is not valid YAML (${(err as Error).message.split('\n')[0]}); torn write? skipped`);
  }
  return undefined;
}

type ParsedRun = Omit<MlflowRun, 'experimentId' | 'experiment'>;

/** With `stamps`, each file or folder that tells the run changed is stamped before it is read (file-store-index.ts). */
function readRun(dir: string, note: Note, stamps: RunStamps | undefined, startedAt: number): ParsedRun | undefined {
  const metaPath = join(dir, 'meta.yaml');
  stamps?.take('meta.yaml');
  const meta = readMeta(metaPath, note);
  if (!meta) return undefined;
  if (meta.lifecycle_stage === 'deleted') return undefined;
  // MLflow names a run's folder by its id; a YAML reader that took an unquoted all-digit id for a number
  // would have lost digits, so the folder's name is the id then.
  const given = meta.run_id ?? meta.run_uuid;
  const runId = typeof given === 'number' ? basename(dir) : given;
  const status = STATUS_BY_NUMBER[Number(meta.status)];
  const start = Number(meta.start_time);
  if (typeof runId !== 'string' || !runId || !status || !Number.isFinite(start)) {
    note(metaPath, `lacks ${typeof runId !== 'string' || !runId ? 'run_id' : !status ? 'a status of 1–5' : 'start_time'} (torn write?); run skipped`);
    return undefined;
  }
  const end = meta.end_time === null || meta.end_time === undefined ? undefined : Number(meta.end_time);
  const open = status === 'RUNNING' || status === 'SCHEDULED' || end === undefined || !Number.isFinite(end) || end > startedAt - RECENT_MS;
  const params = readKeyed(dir, 'params', stamps && { stamps, files: false });
  const tags = readKeyed(dir, 'tags', stamps && { stamps, files: true });
  const metricTexts = readKeyed(dir, 'metrics', stamps && { stamps, files: open });
  const metrics: Record<string, number> = {};
  for (const [key, text] of Object.entries(metricTexts)) {
    const { latest } = parseMetricLines(text, (line, what) => note(join(dir, 'metrics', key), `line ${line}: ${what}; line skipped`));
    if (latest) metrics[key] = latest.value;
  }
  const name = typeof meta.run_name === 'string' && meta.run_name ? meta.run_name : tags['mlflow.runName'];
  return { runId, ...(name ? { name } : {}), status, start, ...(end !== undefined && Number.isFinite(end) ? { end } : {}), params, metrics, tags };
}

/**
 * Every file under `run/sub`, keyed by its path below it with `/` (MLflow's nested keys). With `watch`,
 * every folder is stamped, and every file too when `files`.
 */
function readKeyed(run: string, sub: string, watch?: { stamps: RunStamps; files: boolean }, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  const rel = prefix ? `${sub}/${prefix.slice(0, -1)}` : sub;
  watch?.stamps.take(rel);
  let entries: Dirent[];
  try {
    entries = readdirSync(join(run, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const key = prefix + e.name;
    if (e.isDirectory()) readKeyed(run, sub, watch, key + '/', out);
    else if (e.isFile()) {
      if (watch?.files) watch.stamps.take(`${sub}/${key}`);
      const text = readText(join(run, sub, key));
      if (text !== undefined) out[key] = text;
    }
  }
  return out;
}

/** `timestamp value [step]` per line; a line that does not read is reported (1-based) and left out. */
export function parseMetricLines(text: string, bad: (line: number, what: string) => void): { points: MlflowPoint[]; latest?: MlflowPoint } {
  const points: MlflowPoint[] = [];
  let latest: MlflowPoint | undefined;
  let lineNo = 0;
  // indexOf rather than split/regex per line: 5 million lines at 10,000 runs (the bench's profile).
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(at, end).trim();
    at = end + 1;
    if (!line) continue;
    const a = line.indexOf(' ');
    const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
    const timestamp = a < 0 ? undefined : parseNumber(line.slice(0, a));
    const value = a < 0 ? undefined : parseNumber(line.slice(a + 1, b < 0 ? undefined : b));
    const step = b < 0 ? 0 : parseNumber(line.slice(b + 1));
    if (timestamp === undefined || value === undefined || step === undefined || !Number.isFinite(timestamp) || !Number.isFinite(step)) {
      bad(lineNo, `'${line.length > 60 ? line.slice(0, 60) + '…' : line}' is not 'timestamp value [step]'`);
      continue;
    }
    const point = { step, timestamp, value };
    points.push(point);
    if (isLater(point, latest)) latest = point;
  }
  return { points, ...(latest ? { latest } : {}) };
}
