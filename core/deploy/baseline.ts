// The drift baseline of a deployment, written at deploy time beside its record
// (`.flowbench/deployments/<name>/baseline.json`): a histogram of each model input feature (features.ts)
// over the run's training table, and of the model's predictions on the run's model sample.
// A feature is binned from the training Parquet (the training step's `inputs`, as that run exported them;
// only rows with split = 'train' when the table has such a column) when the table has a column of its name,
// else from the model sample, which is in the model's own input space. Numeric features get up to NUMERIC_BINS
// bins cut at training quantiles (fewer for few rows: binsFor); categorical ones their TOP_CATEGORIES most frequent values plus OTHER.
// Runs in the CLI process: DuckDB and ONNX Runtime (through its worker) are loaded here, never in the host.
import { resolve } from 'node:path';
import { writeJsonAtomicSync } from '../engine/atomic';
import { tableExportPath } from '../engine/fingerprint';
import type { Flow } from '../flow/model';
import { locateArtifact, readArtifactJson } from '../model/artifacts';
import { feedsOf } from '../model/checks';
import { parseSample, type ModelSample } from '../model/model-sample';
import { inspectOnnx } from '../model/onnx-inspect';
import type { OnnxInspection } from '../model/onnx-types';
import { ortRunner } from '../model/ort-runner';
import { ortWorkerAvailable } from '../model/ort-client';
import { openRunStore } from '../runs/store';
import { baselinePath, type Baseline } from './baseline-file';
import { featureColumns, featureLayout, type FeatureSpec, type LayoutInput } from './features';
import { binsFor, edgesFromQuantiles, OTHER, TOP_CATEGORIES, binCounts, type CategoricalHistogram, type Histogram, type NumericHistogram } from './histogram';

export async function writeBaseline(opts: { projectDir: string; stateDir: string; name: string; flow: Flow; runId: string }): Promise<void> {
  writeJsonAtomicSync(baselinePath(opts.stateDir, opts.name), await buildBaseline(opts));
}

function trainingStepOf(flow: Flow): string | undefined {
  const path = flow.model?.path?.value;
  if (flow.model?.step) return flow.model.step.value;
  const abs = path && resolve(flow.root, path);
  return [...flow.steps.values()].find((s) => s.outs.some((o) => resolve(flow.root, o.value) === abs))?.name;
}

function widthOf(shape: OnnxInspection['inputs'][number]['shape']): number {
  const dims = (shape ?? []).slice(1);
  return dims.every((d): d is number => typeof d === 'number') ? dims.reduce((a, b) => a * b, 1) : 1;
}

export async function buildBaseline(opts: { projectDir: string; stateDir: string; flow: Flow; runId: string }): Promise<Baseline> {
  const { flow, stateDir, runId } = opts;
  const problems: string[] = [];
  const record = await openRunStore(stateDir).get(runId);
  if (!record) throw new Error(`no run ${runId} in ${stateDir}`);
  const modelPath = flow.model?.path?.value;
  if (!modelPath) throw new Error(`flow ${flow.file} has no \`model: { path: … }\` to deploy`);
  const model = await locateArtifact(record, flow.root, stateDir, modelPath);
  if ('problem' in model) throw new Error(model.problem);
  const inspection = await inspectOnnx(model.found.file);

  let sample: ModelSample | undefined;
  if (flow.model?.sample) {
    const read = await readArtifactJson(record, flow.root, stateDir, flow.model.sample.value);
    const parsed = 'problem' in read ? read : parseSample(read.value, flow.model.sample.value);
    if ('problem' in parsed) problems.push(parsed.problem);
    else sample = parsed;
  }
  const inputs: LayoutInput[] = inspection.inputs.map((i) => {
    const s = sample?.inputs.get(i.name);
    return { name: i.name, type: i.type, width: s ? (s.rowShape[0] ?? 1) : widthOf(i.shape), ...(s?.columns && { columns: s.columns }) };
  });
  const layout = featureLayout(inputs);

  const features: Record<string, Histogram> = {};
  const sources: Record<string, string> = {};
  let rows = 0;
  const training = await trainingTables(flow, record, stateDir, problems);
  const fromSample = sample ? featureColumns(layout, sampleRows(sample)) : undefined;
  const db = training.length ? await openDuckDb() : undefined;
  try {
    for (const spec of layout) {
      const column = spec.kind === 'onehot' ? spec.name : (spec.columnName ?? spec.name);
      const table = training.find((t) => t.columns.has(column));
      if (table && db) {
        const hist = await tableHistogram(db, table, column, spec);
        if (hist) {
          features[spec.name] = hist.hist;
          sources[spec.name] = table.path;
          rows = Math.max(rows, hist.n);
          continue;
        }
      }
      const values = fromSample?.get(spec.name);
      if (values && values.some((v) => v !== null)) {
        features[spec.name] = valuesHistogram(values, spec);
        sources[spec.name] = flow.model!.sample!.value;
        rows = Math.max(rows, values.length);
      } else {
        problems.push(`feature '${spec.name}': no training column of that name and no model sample to bin it from`);
      }
    }
  } finally {
    db?.close();
  }

  let prediction: NumericHistogram | undefined;
  if (sample && inspection.outputs[0]) {
    try {
      prediction = await samplePredictions(model.found.file, inspection, sample);
    } catch (err) {
      problems.push(`predictions: ${(err as Error).message}`);
    }
  } else {
    problems.push('predictions: no `model.sample` to run the model on, so prediction drift is not watched');
  }
  return { version: 1, runId, createdAt: new Date().toISOString(), features, layout, sources, ...(prediction && { prediction }), rows, problems };
}

function sampleRows(sample: ModelSample): Record<string, unknown>[] {
  return Array.from({ length: sample.rows }, (_, i) => Object.fromEntries([...sample.inputs].map(([name, s]) => [name, s.rows[i]])));
}

async function samplePredictions(file: string, inspection: OnnxInspection, sample: ModelSample): Promise<NumericHistogram> {
  if (!ortWorkerAvailable()) throw new Error('the ONNX Runtime worker is not built (npm run build)');
  const output = inspection.outputs[0]!.name;
  const out = await ortRunner().run(file, feedsOf(sample, inspection.inputs), output);
  const per = out.data.length / sample.rows;
  // The request log keeps each request's first output scalar of its first row: the same value here.
  const values = Array.from({ length: sample.rows }, (_, i) => out.data[i * per]!);
  return valuesHistogram(values, { kind: 'numeric' }) as NumericHistogram;
}

// --- in-memory binning (the model sample, predictions) ---

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
}

function valuesHistogram(values: (number | string | null)[], spec: Pick<FeatureSpec, 'kind'>): Histogram {
  const nulls = values.filter((v) => v === null).length;
  if (spec.kind === 'numeric') {
    const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
    const bins = binsFor(nums.length);
    const edges = edgesFromQuantiles(Array.from({ length: bins + 1 }, (_, i) => quantile(nums, i / bins)));
    const hist: NumericHistogram = { kind: 'numeric', edges, counts: new Array(edges.length - 1).fill(0), ...(nulls && { nulls }) };
    return { ...hist, counts: binCounts(hist, nums).counts };
  }
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return categorical(counts, spec.kind === 'onehot' ? undefined : TOP_CATEGORIES, nulls);
}

function categorical(counts: Map<string, number>, top: number | undefined, nulls: number): CategoricalHistogram {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = top === undefined ? sorted : sorted.slice(0, top);
  const rest = sorted.slice(kept.length).reduce((s, [, n]) => s + n, 0);
  const out: Record<string, number> = Object.fromEntries(kept);
  if (rest || !(OTHER in out)) out[OTHER] = (out[OTHER] ?? 0) + rest;
  return { kind: 'categorical', counts: out, ...(nulls && { nulls }) };
}

// --- the training table, binned in DuckDB ---

interface TrainingTable {
  /** Relative to the project, for the baseline's `sources`. */
  path: string;
  file: string;
  columns: Map<string, string>;
  /** SQL over the training rows. */
  from: string;
}

type Db = { rows(sql: string): Promise<Record<string, unknown>[]>; close(): void };

async function openDuckDb(): Promise<Db> {
  const duckdb = await import('@duckdb/node-api');
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    rows: async (sql) => (await conn.run(sql)).getRowObjectsJS() as Promise<Record<string, unknown>[]>,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function trainingTables(flow: Flow, record: Parameters<typeof locateArtifact>[0], stateDir: string, problems: string[]): Promise<TrainingTable[]> {
  const step = trainingStepOf(flow);
  const inputs = step ? (flow.steps.get(step)?.inputs ?? []) : [];
  if (inputs.length === 0) return [];
  const tables: TrainingTable[] = [];
  const db = await openDuckDb();
  try {
    for (const input of inputs) {
      const path = tableExportPath(input.value);
      const found = await locateArtifact(record, flow.root, stateDir, path);
      if ('problem' in found) {
        problems.push(`training table ${input.value}: ${found.problem}`);
        continue;
      }
      const scan = `read_parquet(${sqlString(found.found.file)})`;
      const described = await db.rows(`DESCRIBE SELECT * FROM ${scan}`);
      const columns = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
      let from = scan;
      if (columns.has('split')) {
        const train = await db.rows(`SELECT count(*) AS n FROM ${scan} WHERE CAST(split AS VARCHAR) = 'train'`);
        if (Number(train[0]?.n) > 0) from = `(SELECT * FROM ${scan} WHERE CAST(split AS VARCHAR) = 'train')`;
      }
      tables.push({ path, file: found.found.file, columns, from });
    }
  } finally {
    db.close();
  }
  return tables;
}

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)/;

async function tableHistogram(db: Db, table: TrainingTable, column: string, spec: FeatureSpec): Promise<{ hist: Histogram; n: number } | undefined> {
  const col = ident(column);
  const [{ n, nulls } = { n: 0, nulls: 0 }] = (await db.rows(`SELECT count(${col}) AS n, count(*) - count(${col}) AS nulls FROM ${table.from}`)) as { n: number; nulls: number }[];
  const total = Number(n);
  if (total === 0) return undefined;
  const nullCount = Number(nulls);
  if (spec.kind === 'numeric') {
    if (!NUMERIC_TYPES.test(table.columns.get(column) ?? '')) return undefined;
    const bins = binsFor(total);
    const qs = Array.from({ length: bins + 1 }, (_, i) => i / bins);
    const [q] = await db.rows(`SELECT quantile_cont(CAST(${col} AS DOUBLE), [${qs.join(', ')}]) AS q FROM ${table.from} WHERE isfinite(CAST(${col} AS DOUBLE))`);
    const edges = edgesFromQuantiles((q?.q as number[] | null) ?? []);
    if (edges.length < 2) return undefined;
    const cases = edges.slice(1, -1).map((e, i) => `WHEN v < ${e} THEN ${i}`).join(' ');
    const bin = cases ? `CASE ${cases} ELSE ${edges.length - 2} END` : '0';
    const rows = await db.rows(`SELECT ${bin} AS b, count(*) AS c FROM (SELECT CAST(${col} AS DOUBLE) AS v FROM ${table.from}) WHERE isfinite(v) GROUP BY b`);
    const counts = new Array<number>(edges.length - 1).fill(0);
    for (const r of rows) counts[Number(r.b)] = Number(r.c);
    return { hist: { kind: 'numeric', edges, counts, ...(nullCount && { nulls: nullCount }) }, n: total };
  }
  const rows = await db.rows(`SELECT CAST(${col} AS VARCHAR) AS v, count(*) AS c FROM ${table.from} WHERE ${col} IS NOT NULL GROUP BY v`);
  const counts = new Map(rows.map((r) => [String(r.v), Number(r.c)]));
  if (spec.kind === 'onehot') {
    // Only the categories the model has a column for are told apart; the rest is what its OTHER slot sees.
    const known = new Map<string, number>(spec.values.map((v) => [v, 0]));
    for (const [v, c] of counts) {
      const key = known.has(v) ? v : OTHER;
      known.set(key, (known.get(key) ?? 0) + c);
    }
    return { hist: categorical(known, undefined, nullCount), n: total };
  }
  return { hist: categorical(counts, TOP_CATEGORIES, nullCount), n: total };
}
