// Evaluates a flow's `model.checks` for one run: metric thresholds overall and per slice and slice gaps
// from the card's numbers; perturbation and swap checks by running the model on the run's sample through
// a ModelRunner (ort-runner.ts: ONNX Runtime in its worker process, never in the caller). A check
// that cannot be evaluated is an `error` result with its FB08x code, which `--check` counts as a failure.
import type { MetricThresholdCheck, ModelCheck, PerturbCheck, SliceGapCheck, SwapCheck } from '../flow/model';
import type { CheckResult, SliceTable } from './card-types';
import { findMetric } from './metric-values';
import { cloneSample, selectRows, type Cell, type ModelSample } from './model-sample';
import type { OnnxTensorInfo } from './onnx-types';
import { sliceValues } from './slices';

/** A feed per model input: element type from the model, the batch's dims and the flat data. */
export interface Feed {
  type: string;
  dims: number[];
  data: Cell[];
}

export interface ModelRunner {
  /** The output's flat values and dims for a batch. */
  run(modelFile: string, feeds: Record<string, Feed>, output: string): Promise<{ dims: number[]; data: number[] }>;
}

export interface CheckContext {
  overall: Record<string, number>;
  slices: SliceTable[];
  /** For perturbation and swap checks; each a reason when unavailable. */
  model?: { file: string; inputs: OnnxTensorInfo[]; outputs: OnnxTensorInfo[] } | { problem: string };
  sample?: ModelSample | { problem: string };
  runner?: ModelRunner;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : Math.abs(n) >= 0.001 || n === 0 ? n.toFixed(4).replace(/0+$/, '').replace(/\.$/, '') : n.toExponential(2));

export async function evaluateChecks(checks: ModelCheck[], ctx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const base = { name: check.name?.value ?? defaultName(check), kind: check.kind, line: check.range.start.line };
    try {
      const result = check.kind === 'metric' ? metricCheck(check, ctx) : check.kind === 'gap' ? gapCheck(check, ctx) : await behaviourCheck(check, ctx);
      results.push({ ...base, ...result });
    } catch (err) {
      results.push({ ...base, status: 'error', code: 'FB089', message: `the model could not be run: ${(err as Error).message}` });
    }
  }
  return results;
}

export function defaultName(check: ModelCheck): string {
  switch (check.kind) {
    case 'metric': {
      const bounds = [check.min && `≥ ${check.min.value}`, check.max && `≤ ${check.max.value}`].filter(Boolean).join(' and ');
      return `${check.metric.value} ${bounds}${check.slices ? ` on every ${check.slices.value} slice` : ''}`;
    }
    case 'gap':
      return `${check.metric.value} gap across ${check.slices.value} slices ≤ ${check.maxGap.value}`;
    case 'perturb':
      return `${check.feature.value} ${check.delta.value >= 0 ? '+' : ''}${check.delta.value}: ${changeBounds(check)}`;
    case 'swap':
      return `${check.feature.value} ${check.from.value} → ${check.to.value}: ${changeBounds(check)}`;
  }
}

function changeBounds(check: PerturbCheck | SwapCheck): string {
  return [check.maxChange && `|Δ| ≤ ${check.maxChange.value}`, check.minChange && `mean |Δ| ≥ ${check.minChange.value}`].filter(Boolean).join(', ');
}

type Outcome = Omit<CheckResult, 'name' | 'kind' | 'line'>;

function within(value: number, check: MetricThresholdCheck): boolean {
  return (!check.min || value >= check.min.value) && (!check.max || value <= check.max.value);
}

function sliceTable(ctx: CheckContext, name: string): SliceTable | Outcome {
  const table = ctx.slices.find((t) => t.name === name);
  if (table) return table;
  const known = ctx.slices.map((t) => t.name);
  return { status: 'error', code: 'FB087', message: `no slice table '${name}' in this run's evaluation outs (${known.length ? `tables: ${known.join(', ')}` : 'none found: an out needs a `by_<name>` list'})` };
}

function metricCheck(check: MetricThresholdCheck, ctx: CheckContext): Outcome {
  const threshold = check.min?.value ?? check.max?.value;
  if (!check.slices) {
    const found = findMetric(ctx.overall, check.metric.value);
    if ('candidates' in found) return { status: 'error', code: 'FB087', message: `the run has no metric '${check.metric.value}'${found.candidates.length ? ` (has ${found.candidates.slice(0, 8).join(', ')})` : ''}` };
    const pass = within(found.value, check);
    return { status: pass ? 'pass' : 'fail', observed: found.value, ...(threshold !== undefined && { threshold }), message: `${found.key} ${fmt(found.value)}${pass ? '' : ` is outside ${boundsText(check)}`}` };
  }
  const table = sliceTable(ctx, check.slices.value);
  if ('status' in table) return table;
  const values = sliceValues(table, check.metric.value);
  if (values.length === 0) return { status: 'error', code: 'FB087', message: `slice table '${table.name}' has no metric '${check.metric.value}' (has ${table.metrics.join(', ') || 'none'})` };
  const slices = values.map((v) => ({ ...v, pass: within(v.observed, check) }));
  const failing = slices.filter((s) => !s.pass);
  const worst = [...slices].sort((a, b) => (check.min ? a.observed - b.observed : b.observed - a.observed))[0]!;
  const message = failing.length === 0
    ? `all ${slices.length} ${table.name} slices within ${boundsText(check)} (worst ${worst.value}: ${fmt(worst.observed)})`
    : `${failing.length} of ${slices.length} ${table.name} slices outside ${boundsText(check)}: ${failing.slice(0, 5).map((s) => `${s.value} ${fmt(s.observed)}`).join(', ')}${failing.length > 5 ? ', …' : ''}`;
  return { status: failing.length ? 'fail' : 'pass', observed: worst.observed, ...(threshold !== undefined && { threshold }), slices, message };
}

function boundsText(check: MetricThresholdCheck): string {
  if (check.min && check.max) return `[${check.min.value}, ${check.max.value}]`;
  return check.min ? `≥ ${check.min.value}` : `≤ ${check.max!.value}`;
}

function gapCheck(check: SliceGapCheck, ctx: CheckContext): Outcome {
  const table = sliceTable(ctx, check.slices.value);
  if ('status' in table) return table;
  const values = sliceValues(table, check.metric.value);
  if (values.length < 2) return { status: 'error', code: 'FB087', message: `slice table '${table.name}' has ${values.length === 0 ? `no metric '${check.metric.value}'` : 'a single slice'}: a gap needs two` };
  const sorted = [...values].sort((a, b) => a.observed - b.observed);
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  const gap = hi.observed - lo.observed;
  const pass = gap <= check.maxGap.value;
  return {
    status: pass ? 'pass' : 'fail',
    observed: gap,
    threshold: check.maxGap.value,
    slices: values.map((v) => ({ ...v, pass: true })),
    message: `gap ${fmt(gap)} ${pass ? '≤' : '>'} ${check.maxGap.value}: ${hi.value} ${fmt(hi.observed)} vs ${lo.value} ${fmt(lo.observed)}`,
  };
}

async function behaviourCheck(check: PerturbCheck | SwapCheck, ctx: CheckContext): Promise<Outcome> {
  const unavailable = (code: string, why: string): Outcome => ({ status: 'error', code, message: why });
  if (!ctx.model) return unavailable('FB089', 'the run has no model file to run');
  if ('problem' in ctx.model) return unavailable('FB089', ctx.model.problem);
  if (!ctx.sample) return unavailable('FB086', 'no `model.sample` to run the model on');
  if ('problem' in ctx.sample) return unavailable('FB089', ctx.sample.problem);
  if (!ctx.runner) return unavailable('FB089', 'checks that run the model are evaluated by `flowbench card` (ONNX Runtime runs outside the editor)');
  const { file, inputs, outputs } = ctx.model;
  const sample = ctx.sample;
  const missing = inputs.filter((i) => !sample.inputs.has(i.name)).map((i) => i.name);
  if (missing.length) return unavailable('FB088', `the sample has no rows for model input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const output = check.output?.value ?? outputs[0]?.name;
  if (!output || !outputs.some((o) => o.name === output)) return unavailable('FB088', `the model has no output '${output ?? ''}' (outputs: ${outputs.map((o) => o.name).join(', ')})`);

  const changed = check.kind === 'perturb' ? perturb(sample, check) : swap(sample, check);
  if ('problem' in changed) return unavailable(changed.code, changed.problem);
  const predict = async (s: ModelSample) => rowPredictions(await ctx.runner!.run(file, feedsOf(s, inputs), output), s.rows);
  const a = await predict(changed.base);
  const b = await predict(changed.sample);
  const diffs = a.map((v, i) => Math.abs(b[i]! - v));
  const max = Math.max(...diffs);
  const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
  const failures: string[] = [];
  if (check.maxChange && !(max <= check.maxChange.value)) failures.push(`max |Δ| ${fmt(max)} > ${check.maxChange.value}`);
  if (check.minChange && !(mean >= check.minChange.value)) failures.push(`mean |Δ| ${fmt(mean)} < ${check.minChange.value}`);
  const observed = check.maxChange ? max : mean;
  const threshold = check.maxChange?.value ?? check.minChange!.value;
  const summary = `max |Δ| ${fmt(max)}, mean |Δ| ${fmt(mean)} over ${diffs.length} rows`;
  return { status: failures.length ? 'fail' : 'pass', observed, threshold, rows: diffs.length, message: failures.length ? `${failures.join('; ')} (${diffs.length} rows)` : summary };
}

type Changed = { base: ModelSample; sample: ModelSample } | { problem: string; code: string };

/** Where a feature lives: a whole (one-value) input, or one named column of an input. */
function locate(sample: ModelSample, feature: string): { input: string; column: number } | { problem: string; code: string } {
  const direct = sample.inputs.get(feature);
  if (direct) {
    if ((direct.rowShape[0] ?? 1) === 1) return { input: feature, column: 0 };
    return { code: 'FB088', problem: `model input '${feature}' has ${direct.rowShape[0]} values per row: name one of its columns${direct.columns ? ` (${direct.columns.slice(0, 6).join(', ')}, …)` : ' (the sample names none)'}` };
  }
  for (const [input, entry] of sample.inputs) {
    const column = entry.columns?.indexOf(feature) ?? -1;
    if (column >= 0) return { input, column };
  }
  const named = [...sample.inputs].flatMap(([name, e]) => e.columns ?? [name]);
  return { code: 'FB088', problem: `'${feature}' is neither a model input nor a column named in the sample (${named.slice(0, 8).join(', ')}${named.length > 8 ? ', …' : ''})` };
}

function perturb(sample: ModelSample, check: PerturbCheck): Changed {
  const at = locate(sample, check.feature.value);
  if ('problem' in at) return at;
  const out = cloneSample(sample);
  for (const row of out.inputs.get(at.input)!.rows) {
    const v = row[at.column];
    if (typeof v !== 'number') return { code: 'FB088', problem: `'${check.feature.value}' holds ${typeof v} values: perturb a numeric feature, or use \`swap:\`` };
    row[at.column] = v + check.delta.value;
  }
  return { base: sample, sample: out };
}

function swap(sample: ModelSample, check: SwapCheck): Changed {
  const feature = check.feature.value;
  const { value: from } = check.from;
  const { value: to } = check.to;
  const direct = sample.inputs.get(feature);
  if (direct && (direct.rowShape[0] ?? 1) === 1) {
    const keep = direct.rows.flatMap((r, i) => (String(r[0]) === from ? [i] : []));
    if (keep.length === 0) return { code: 'FB088', problem: `no sample row has ${feature} = ${from}` };
    const base = selectRows(sample, keep);
    const out = cloneSample(base);
    for (const row of out.inputs.get(feature)!.rows) row[0] = typeof row[0] === 'number' ? Number(to) : to;
    return { base, sample: out };
  }
  const a = locate(sample, `${feature}=${from}`);
  const b = locate(sample, `${feature}=${to}`);
  if ('problem' in a) return { code: 'FB088', problem: `'${feature}' is neither a one-value model input nor one-hot columns '${feature}=…' in the sample` };
  if ('problem' in b) return { code: 'FB088', problem: `the sample has no column '${feature}=${to}' to swap to` };
  if (a.input !== b.input) return { code: 'FB088', problem: `'${feature}=${from}' and '${feature}=${to}' are in different inputs` };
  const keep = sample.inputs.get(a.input)!.rows.flatMap((r, i) => (r[a.column] === 1 ? [i] : []));
  if (keep.length === 0) return { code: 'FB088', problem: `no sample row has ${feature} = ${from}` };
  const base = selectRows(sample, keep);
  const out = cloneSample(base);
  for (const row of out.inputs.get(a.input)!.rows) {
    row[a.column] = 0;
    row[b.column] = 1;
  }
  return { base, sample: out };
}

export function feedsOf(sample: ModelSample, inputs: OnnxTensorInfo[]): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  for (const info of inputs) {
    const entry = sample.inputs.get(info.name)!;
    // A model declaring [N, 1] gets rows of one value; one declaring [N] gets scalars.
    const rank = info.shape?.length ?? entry.rowShape.length + 1;
    const dims = rank <= 1 ? [sample.rows] : [sample.rows, ...(entry.rowShape.length ? entry.rowShape : [1])];
    feeds[info.name] = { type: info.type, dims, data: entry.rows.flat() };
  }
  return feeds;
}

/** One prediction per row: the row's last value (the positive class of an [N, k] probability output). */
function rowPredictions(out: { dims: number[]; data: number[] }, rows: number): number[] {
  const per = out.data.length / rows;
  if (!Number.isInteger(per) || per < 1) throw new Error(`the output has ${out.data.length} values for ${rows} rows`);
  return Array.from({ length: rows }, (_, i) => Number(out.data[i * per + per - 1]));
}
