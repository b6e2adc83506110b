// MLflow's file store, the `mlruns/` folder: `<exp>/meta.yaml`, `<exp>/<run>/meta.yaml` (integer status),
// `<run>/metrics/<key>` lines `timestamp value [step]`, `<run>/params/<key>`, `<run>/tags/<key>` (keys with
// `/` are nested folders). Pure JS, so it runs in the extension host. What is torn or missing is skipped
// with a note naming the file, never thrown; `.trash/` (deleted experiments) and deleted runs are left out.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isLater, MlflowError, parseNumber, STATUS_BY_NUMBER, type MlflowPoint, type MlflowReader, type MlflowRun } from './model';

/** Folders of an experiment that are not runs (MLflow 3 keeps logged models and traces there). */
const NOT_RUNS = new Set(['models', 'traces', 'datasets', 'artifacts']);
/** Runs read at once: enough to keep the thread pool busy, few enough to bound open files. */
const PARALLEL = 32;

export function fileStoreReader(root: string, uri = root): MlflowReader {
  const runDirs = new Map<string, string>();
  return {
    uri,
    async list() {
      const notes: string[] = [];
      const note = (path: string, what: string) => notes.push(`${relative(root, path) || path}: ${what}`);
      const top = await readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        throw new MlflowError(`cannot read the MLflow folder ${root}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`, 'point --mlflow (or MLFLOW_TRACKING_URI) at an mlruns/ folder');
      });
      const runs: MlflowRun[] = [];
      runDirs.clear();
      for (const entry of top) {
        if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'models') continue;
        const expDir = join(root, entry.name);
        const meta = await readMeta(join(expDir, 'meta.yaml'), note);
        if (!meta) continue;
        if (meta.lifecycle_stage === 'deleted') continue;
        const experimentId = String(meta.experiment_id ?? entry.name);
        const experiment = typeof meta.name === 'string' ? meta.name : experimentId;
        const children = (await readdir(expDir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.') && !NOT_RUNS.has(d.name));
        for (let i = 0; i < children.length; i += PARALLEL) {
          const batch = await Promise.all(children.slice(i, i + PARALLEL).map((d) => readRun(join(expDir, d.name), experimentId, experiment, note)));
          for (const run of batch) {
            if (!run) continue;
            runDirs.set(run.runId, join(expDir, run.dirName));
            runs.push(run.run);
          }
        }
      }
      return { runs, notes };
    },
    async history(runId, key) {
      if (!runDirs.has(runId)) await this.list();
      const dir = runDirs.get(runId);
      if (!dir) return [];
      const text = await readFile(join(dir, 'metrics', key), 'utf8').catch(() => undefined);
      return text === undefined ? [] : parseMetricLines(text, () => undefined).points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    },
  };
}

type Note = (path: string, what: string) => void;

async function readMeta(path: string, note: Note): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    note(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'meta.yaml is missing; skipped' : `cannot be read (${(err as Error).message}); skipped`);
    return undefined;
  }
  try {
    const meta: unknown = parseYaml(text);
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) return meta as Record<string, unknown>;
    note(path, 'is empty or not a mapping (torn write?); skipped');
  } catch (err) {
    note(path, `is not valid YAML (${(err as Error).message.split('\n')[0]}); torn write? skipped`);
  }
  return undefined;
}

async function readRun(dir: string, experimentId: string, experiment: string, note: Note): Promise<{ runId: string; dirName: string; run: MlflowRun } | undefined> {
  const metaPath = join(dir, 'meta.yaml');
  const meta = await readMeta(metaPath, note);
  if (!meta) return undefined;
  if (meta.lifecycle_stage === 'deleted') return undefined;
  const runId = meta.run_id ?? meta.run_uuid;
  const status = STATUS_BY_NUMBER[Number(meta.status)];
  const start = Number(meta.start_time);
  if (typeof runId !== 'string' || !runId || !status || !Number.isFinite(start)) {
    note(metaPath, `lacks ${typeof runId !== 'string' || !runId ? 'run_id' : !status ? 'a status of 1–5' : 'start_time'} (torn write?); run skipped`);
    return undefined;
  }
  const [params, tags, metricTexts] = await Promise.all([readKeyed(join(dir, 'params')), readKeyed(join(dir, 'tags')), readKeyed(join(dir, 'metrics'))]);
  const metrics: Record<string, number> = {};
  for (const [key, text] of Object.entries(metricTexts)) {
    const { latest } = parseMetricLines(text, (line, what) => note(join(dir, 'metrics', key), `line ${line}: ${what}; line skipped`));
    if (latest) metrics[key] = latest.value;
  }
  const end = meta.end_time === null || meta.end_time === undefined ? undefined : Number(meta.end_time);
  const name = typeof meta.run_name === 'string' && meta.run_name ? meta.run_name : tags['mlflow.runName'];
  return {
    runId,
    dirName: relative(join(dir, '..'), dir),
    run: { runId, experimentId, experiment, ...(name ? { name } : {}), status, start, ...(end !== undefined && Number.isFinite(end) ? { end } : {}), params, metrics, tags },
  };
}

/** Every file under `dir`, keyed by its path below it with `/` (MLflow's nested keys). */
async function readKeyed(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  await Promise.all(
    entries.map(async (e) => {
      const key = prefix + e.name;
      if (e.isDirectory()) Object.assign(out, await readKeyed(join(dir, e.name), key + '/'));
      else if (e.isFile()) {
        const text = await readFile(join(dir, e.name), 'utf8').catch(() => undefined);
        if (text !== undefined) out[key] = text;
      }
    }),
  );
  return out;
}

/** `timestamp value [step]` per line; a line that does not read is reported (1-based) and left out. */
export function parseMetricLines(text: string, bad: (line: number, what: string) => void): { points: MlflowPoint[]; latest?: MlflowPoint } {
  const points: MlflowPoint[] = [];
  let latest: MlflowPoint | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const parts = line.split(/\s+/);
    const timestamp = parseNumber(parts[0]!);
    const value = parts[1] === undefined ? undefined : parseNumber(parts[1]);
    const step = parts[2] === undefined ? 0 : parseNumber(parts[2]);
    if (parts.length > 3 || timestamp === undefined || value === undefined || step === undefined || !Number.isFinite(timestamp) || !Number.isFinite(step)) {
      bad(i + 1, `'${line.length > 60 ? line.slice(0, 60) + '…' : line}' is not 'timestamp value [step]'`);
      continue;
    }
    const point = { step, timestamp, value };
    points.push(point);
    if (isLater(point, latest)) latest = point;
  }
  return { points, ...(latest ? { latest } : {}) };
}
