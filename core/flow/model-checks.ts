// `model.checks` in a flow file → ModelCheck[] with a range for every value, reporting FB081–FB086
// (docs/diagnostics.md). Structure only: whether a metric, slice table or model input exists is known
// when a card is built for a run (core/model/checks.ts), not while the file is typed.
import type { Located, ModelCheck, Problem, Range, Severity } from './model';
import { keyText, toValue, type YMap, type YNode, type YPair } from './yaml-tree';
import schema from './flow.schema.json';
import { closest } from './suggest';

const CHECK_KEYS = Object.keys(schema.definitions.modelCheck.properties);
/** Which keys each kind of check takes besides `name`. */
const KIND_KEYS: Record<ModelCheck['kind'], readonly string[]> = {
  metric: ['metric', 'min', 'max', 'slices'],
  gap: ['metric', 'slices', 'max_gap'],
  perturb: ['perturb', 'delta', 'max_change', 'min_change', 'output'],
  swap: ['swap', 'from', 'to', 'max_change', 'min_change', 'output'],
};

export interface CheckParseContext {
  rangeOf(node: YNode | null | undefined): Range;
  report(code: string, severity: Severity, message: string, range: Range, fixes?: Problem['fixes']): void;
}

export function parseModelChecks(node: YNode | null, keyRange: Range, ctx: CheckParseContext): ModelCheck[] {
  if (node === null || node === undefined) return [];
  if (node.kind !== 'seq') {
    ctx.report('FB081', 'error', '`checks:` is a list of checks, each a mapping such as `- metric: auc` with `min: 0.65`.', ctx.rangeOf(node) ?? keyRange);
    return [];
  }
  const checks: ModelCheck[] = [];
  for (const item of node.items as (YNode | null)[]) {
    if (!item) continue;
    const check = parseCheck(item, ctx);
    if (check) checks.push(check);
  }
  return checks;
}

function parseCheck(node: YNode, ctx: CheckParseContext): ModelCheck | undefined {
  const range = ctx.rangeOf(node);
  if (node.kind !== 'map') {
    ctx.report('FB081', 'error', 'A check is a mapping: `metric:` with `min:`/`max:`/`max_gap:`, `perturb:` with `delta:`, or `swap:` with `from:` and `to:`.', range);
    return undefined;
  }
  const fields = new Map<string, YPair>();
  for (const pair of (node as YMap).items) {
    const key = keyText(pair);
    if (key !== undefined && !fields.has(key)) fields.set(key, pair);
  }
  const heads = ['metric', 'perturb', 'swap'].filter((k) => fields.has(k));
  if (heads.length !== 1) {
    const message = heads.length === 0
      ? 'A check needs one of `metric:`, `perturb:` or `swap:`.'
      : `A check is one kind: it has ${heads.map((h) => `\`${h}:\``).join(' and ')}; split it into ${heads.length} checks.`;
    ctx.report('FB081', 'error', message, heads.length === 0 ? range : keyRange(fields.get(heads[1]!)!, ctx));
    return undefined;
  }
  const kind: ModelCheck['kind'] = heads[0] === 'metric' ? (fields.has('max_gap') ? 'gap' : 'metric') : (heads[0] as 'perturb' | 'swap');
  const allowed = new Set(['name', ...KIND_KEYS[kind]]);
  let ok = true;
  for (const [key, pair] of fields) {
    if (allowed.has(key)) continue;
    ok = false;
    const known = CHECK_KEYS.includes(key);
    const guess = known ? undefined : closest(key, [...allowed]);
    const what = { metric: 'a metric threshold', gap: 'a slice gap check', perturb: 'a perturbation check', swap: 'a swap check' }[kind];
    const message = known
      ? `\`${key}:\` does not belong in ${what}; it takes ${[...allowed].map((k) => `\`${k}\``).join(', ')}.`
      : `Unknown key '${key}' in a check.${guess ? ` Did you mean '${guess}'?` : ` ${what[0]!.toUpperCase()}${what.slice(1)} takes ${[...allowed].join(', ')}.`}`;
    const r = keyRange(pair, ctx);
    ctx.report('FB082', 'error', message, r, guess ? [{ title: `Change to '${guess}'`, edits: [{ range: r, newText: guess }] }] : undefined);
  }
  // With a key misplaced or misspelt, what else looks missing is most likely that key: say it once.
  if (!ok) return undefined;
  const text = (key: string) => stringField(fields.get(key), key, ctx);
  const num = (key: string, min?: number) => numberField(fields.get(key), key, ctx, min);
  const name = text('name');
  const base = { range, ...(name && { name }) };
  if (kind === 'metric' || kind === 'gap') {
    const metric = text('metric');
    const slices = text('slices');
    if (!metric) return undefined;
    if (kind === 'gap') {
      const maxGap = num('max_gap', 0);
      if (!slices) {
        ctx.report('FB084', 'error', '`max_gap:` compares slices: add `slices:` naming the slice table (e.g. `slices: origin`).', keyRange(fields.get('max_gap')!, ctx));
        return undefined;
      }
      return maxGap ? { kind, ...base, metric, slices, maxGap } : undefined;
    }
    const min = num('min');
    const max = num('max');
    if (!fields.has('min') && !fields.has('max')) {
      ctx.report('FB084', 'error', `The check on '${metric.value}' sets no bound: add \`min:\`, \`max:\` or (with \`slices:\`) \`max_gap:\`.`, metric.range);
      return undefined;
    }
    if (min && max && min.value > max.value) {
      ctx.report('FB083', 'error', `\`min: ${min.value}\` is above \`max: ${max.value}\`: no value can pass.`, min.range);
      return undefined;
    }
    if ((fields.has('min') && !min) || (fields.has('max') && !max) ) return undefined;
    return { kind, ...base, metric, ...(min && { min }), ...(max && { max }), ...(slices && { slices }) };
  }
  const feature = text(kind);
  const maxChange = num('max_change', 0);
  const minChange = num('min_change', 0);
  const output = text('output');
  if (!feature) return undefined;
  if (!fields.has('max_change') && !fields.has('min_change')) {
    ctx.report('FB084', 'error', `The ${kind} check on '${feature.value}' sets no bound: add \`max_change:\` (invariance) or \`min_change:\` (the prediction must move).`, feature.range);
    return undefined;
  }
  const bounds = { ...(maxChange && { maxChange }), ...(minChange && { minChange }), ...(output && { output }) };
  if ((fields.has('max_change') && !maxChange) || (fields.has('min_change') && !minChange)) return undefined;
  if (kind === 'perturb') {
    const delta = num('delta');
    if (!fields.has('delta')) {
      ctx.report('FB085', 'error', `Perturbing '${feature.value}' needs \`delta:\`, the amount added to it (e.g. \`delta: 0.5\`).`, feature.range);
      return undefined;
    }
    if (delta && delta.value === 0) {
      ctx.report('FB085', 'error', '`delta: 0` changes nothing: use a non-zero amount.', delta.range);
      return undefined;
    }
    return delta ? { kind, ...base, feature, delta, ...bounds } : undefined;
  }
  const from = text('from');
  const to = text('to');
  if (!fields.has('from') || !fields.has('to')) {
    ctx.report('FB085', 'error', `Swapping '${feature.value}' needs \`from:\` and \`to:\`, the category replaced and the one put in its place.`, feature.range);
    return undefined;
  }
  if (from && to && from.value === to.value) {
    ctx.report('FB085', 'error', `\`from:\` and \`to:\` are both '${from.value}': the swap changes nothing.`, to.range);
    return undefined;
  }
  return from && to ? { kind, ...base, feature, from, to, ...bounds } : undefined;
}

function keyRange(pair: YPair, ctx: CheckParseContext): Range {
  return ctx.rangeOf(pair.key as YNode);
}

function stringField(pair: YPair | undefined, key: string, ctx: CheckParseContext): Located<string> | undefined {
  if (!pair) return undefined;
  const node = pair.value as YNode | null;
  const value = toValue(node);
  if (node && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return { value: String(value), range: ctx.rangeOf(node) };
  ctx.report('FB081', 'error', `\`${key}:\` must be a name${node ? ', not a mapping or a list' : ''}.`, node ? ctx.rangeOf(node) : keyRange(pair, ctx));
  return undefined;
}

function numberField(pair: YPair | undefined, key: string, ctx: CheckParseContext, min?: number): Located<number> | undefined {
  if (!pair) return undefined;
  const node = pair.value as YNode | null;
  const value = toValue(node);
  const range = node ? ctx.rangeOf(node) : keyRange(pair, ctx);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    ctx.report('FB083', 'error', `\`${key}:\` must be a number, not ${value === null || value === undefined ? 'nothing' : JSON.stringify(value)}.`, range);
    return undefined;
  }
  if (min !== undefined && value < min) {
    ctx.report('FB083', 'error', `\`${key}:\` must be at least ${min}: it is a tolerance.`, range);
    return undefined;
  }
  return { value, range };
}
