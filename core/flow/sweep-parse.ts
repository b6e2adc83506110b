// `sweeps:` → Sweep models with ranges, plus the problems that need no other part of the flow: empty
// grids and lists (FB091), bad ranges and choices (FB092), bad count/seed (FB093), a param swept twice in
// one sweep (FB095), invalid sweep names (FB097). Unknown params need the flow's params: sweep-check.ts.
import type { Fix, Range, Severity, Sweep, SweepAxis } from './model';
import { keyText, toValue, type YMap, type YNode, type YPair } from './yaml-tree';

/** The rule step names follow: a sweep's name appears in filters (`sweep = lr-grid`) and folder names. */
const SWEEP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** What the flow parser lends this module: its positions, reporting and generic checks. */
export interface SweepReader {
  range(node: YNode | null | undefined): Range;
  report(code: string, severity: Severity, message: string, range: Range, fixes?: Fix[]): void;
  checkKeys(map: YMap, which: 'sweep' | 'sweepRandom', where: string): void;
  wrongType(node: YNode | null, expected: string, fallback?: Range): void;
}

export function parseSweeps(value: YNode | null, into: Map<string, Sweep>, r: SweepReader): void {
  if (value === null) return;
  if (value.kind !== 'map') return r.wrongType(value, 'a mapping of sweep names to sweeps');
  for (const item of value.items) {
    const name = keyText(item);
    if (name === undefined || into.has(name)) continue;
    const nameRange = r.range(item.key);
    if (!SWEEP_NAME.test(name)) {
      r.report('FB097', 'error', `Invalid sweep name '${name}': start with a letter and use only letters, digits, '_' or '-'.`, nameRange);
    }
    const node = item.value;
    const sweep: Sweep = { name, nameRange, range: node ? r.range(node) : nameRange, grid: [], random: [], list: [] };
    into.set(name, sweep);
    if (node?.kind !== 'map') {
      if (node) r.wrongType(node, 'a mapping with `grid:`, `random:` or `list:`', nameRange);
      else r.report('FB091', 'error', `Sweep '${name}' is empty: give it \`grid:\`, \`random:\` (with \`count:\`) or \`list:\`.`, nameRange);
      continue;
    }
    readSweep(node, sweep, r);
  }
}

function readSweep(node: YMap, sweep: Sweep, r: SweepReader): void {
  r.checkKeys(node, 'sweep', `sweep '${sweep.name}'`);
  const fields = new Map<string, YPair>();
  for (const pair of node.items) {
    const key = keyText(pair);
    if (key !== undefined && !fields.has(key)) fields.set(key, pair);
  }
  const grid = fields.get('grid');
  if (grid) sweep.grid = axes(grid, r, `grid of sweep '${sweep.name}'`, gridAxis);
  const random = fields.get('random');
  if (random) sweep.random = axes(random, r, `random of sweep '${sweep.name}'`, randomAxis);
  const list = fields.get('list');
  if (list) readList(list, sweep, r);
  const description = fields.get('description');
  if (description?.value?.kind === 'scalar' && description.value.value !== null) sweep.description = { value: String(description.value.value), range: r.range(description.value) };

  for (const key of ['count', 'seed'] as const) {
    const pair = fields.get(key);
    if (!pair) continue;
    const v = pair.value;
    const n = v?.kind === 'scalar' ? v.value : undefined;
    const ok = typeof n === 'number' && Number.isSafeInteger(n) && (key === 'seed' || n >= 1);
    if (ok) sweep[key] = { value: n, range: r.range(v) };
    else r.report('FB093', 'error', `\`${key}:\` must be ${key === 'count' ? 'a whole number of draws, at least 1' : 'a whole number'}${v ? `, not ${JSON.stringify(toValue(v))}` : ''}.`, r.range(v ?? pair.key));
  }
  if (random && sweep.random.length && !fields.has('count')) {
    r.report('FB093', 'error', `Sweep '${sweep.name}' draws \`random:\` params but says not how often: add \`count:\` (e.g. \`count: 20\`).`, r.range(random.key), [
      { title: 'Add `count: 10`', edits: [{ range: { start: r.range(random.key).start, end: r.range(random.key).start }, newText: 'count: 10\n' + ' '.repeat(r.range(random.key).start.character) }] },
    ]);
  }
  if (!random && (fields.has('count') || fields.has('seed'))) {
    const key = fields.has('count') ? 'count' : 'seed';
    r.report('FB093', 'warning', `\`${key}:\` only applies to \`random:\`, which sweep '${sweep.name}' does not have.`, r.range(fields.get(key)!.key));
  }
  if (!grid && !random && !list) {
    r.report('FB091', 'error', `Sweep '${sweep.name}' varies nothing: give it \`grid:\`, \`random:\` (with \`count:\`) or \`list:\`.`, sweep.nameRange);
  }
  // A param in two parts would have two values in one variant; which one wins would be a guess.
  const seen = new Map<string, string>();
  for (const [part, params] of [['grid', sweep.grid], ['random', sweep.random]] as const) {
    for (const axis of params) {
      const other = seen.get(axis.param);
      if (other) r.report('FB095', 'error', `Param '${axis.param}' is swept twice in sweep '${sweep.name}' (in \`${other}:\` and \`${part}:\`): keep one.`, axis.keyRange);
      seen.set(axis.param, part);
    }
  }
  for (const entry of sweep.list) {
    for (const p of entry.params) {
      const other = seen.get(p.param);
      if (other) r.report('FB095', 'error', `Param '${p.param}' is set by \`list:\` and swept by \`${other}:\` in sweep '${sweep.name}': keep one.`, p.keyRange);
    }
  }
}

function axes(pair: YPair, r: SweepReader, where: string, read: (param: string, keyRange: Range, node: YNode | null, r: SweepReader) => SweepAxis | undefined): SweepAxis[] {
  const node = pair.value;
  if (node?.kind !== 'map' || node.items.length === 0) {
    if (node && node.kind !== 'map') r.wrongType(node, 'a mapping of param names to values', r.range(pair.key));
    else r.report('FB091', 'error', `The ${where} is empty: name at least one param.`, r.range(pair.key));
    return [];
  }
  const out: SweepAxis[] = [];
  for (const item of node.items) {
    const param = keyText(item);
    if (param === undefined || out.some((a) => a.param === param)) continue;
    const axis = read(param.replace(/^params\./, ''), r.range(item.key), item.value, r);
    if (axis) out.push(axis);
  }
  return out;
}

function gridAxis(param: string, keyRange: Range, node: YNode | null, r: SweepReader): SweepAxis | undefined {
  if (node?.kind === 'scalar' && node.value !== null) return { param, keyRange, values: [{ value: node.value, range: r.range(node) }], range: r.range(node) };
  if (node?.kind !== 'seq' || node.items.length === 0) {
    if (node?.kind === 'map') r.wrongType(node, 'a list of values, e.g. [0.001, 0.003]');
    else r.report('FB091', 'error', `Grid param '${param}' has no values: list at least one, e.g. \`${param}: [0.001, 0.003]\`.`, node ? r.range(node) : keyRange);
    return undefined;
  }
  const values = node.items.map((item) => ({ value: toValue(item), range: item ? r.range(item) : r.range(node) }));
  return { param, keyRange, values, range: r.range(node) };
}

function randomAxis(param: string, keyRange: Range, node: YNode | null, r: SweepReader): SweepAxis | undefined {
  const range = node ? r.range(node) : keyRange;
  const bad = (message: string, at: Range = range): undefined => (r.report('FB092', 'error', message, at), undefined);
  if (node?.kind !== 'map') return bad(`Random param '${param}' needs a range \`{ min: …, max: … }\` (optionally \`log: true\`) or \`{ choices: [...] }\`.`);
  r.checkKeys(node, 'sweepRandom', `random param '${param}'`);
  const get = (key: string) => node.items.find((p) => keyText(p) === key)?.value ?? undefined;
  const choices = get('choices');
  if (choices !== undefined) {
    if (get('min') !== undefined || get('max') !== undefined) return bad(`Random param '${param}' has both \`choices:\` and a range: keep one.`);
    if (choices?.kind !== 'seq' || choices.items.length === 0) return bad(`\`choices:\` of random param '${param}' must be a non-empty list, e.g. [adam, sgd].`, choices ? r.range(choices) : range);
    return { param, keyRange, choices: choices.items.map(toValue), range };
  }
  const num = (key: 'min' | 'max'): number | undefined => {
    const v = get(key);
    if (v?.kind === 'scalar' && typeof v.value === 'number' && Number.isFinite(v.value)) return v.value;
    bad(v ? `\`${key}:\` of random param '${param}' must be a number, not ${JSON.stringify(toValue(v))}.` : `Random param '${param}' needs \`${key}:\`.`, v ? r.range(v) : range);
    return undefined;
  };
  const min = num('min');
  const max = num('max');
  if (min === undefined || max === undefined) return undefined;
  const logNode = get('log');
  const log = logNode?.kind === 'scalar' && logNode.value === true;
  if (logNode !== undefined && !(logNode?.kind === 'scalar' && typeof logNode.value === 'boolean')) return bad(`\`log:\` of random param '${param}' must be true or false.`, r.range(logNode));
  if (!(min < max)) return bad(`Random param '${param}': \`min:\` (${min}) must be below \`max:\` (${max}).`);
  if (log && min <= 0) return bad(`Random param '${param}' is drawn in log space, so \`min:\` must be above 0 (it is ${min}).`);
  return { param, keyRange, min, max, log, range };
}

function readList(pair: YPair, sweep: Sweep, r: SweepReader): void {
  const node = pair.value;
  if (node?.kind !== 'seq' || node.items.length === 0) {
    if (node && node.kind !== 'seq') r.wrongType(node, 'a list of param sets, e.g. - { learning_rate: 0.1 }', r.range(pair.key));
    else r.report('FB091', 'error', `The list of sweep '${sweep.name}' is empty: give at least one param set.`, r.range(pair.key));
    return;
  }
  for (const item of node.items) {
    if (item?.kind !== 'map' || item.items.length === 0) {
      if (item?.kind === 'map' || !item) r.report('FB091', 'error', 'An empty param set: name at least one param, e.g. `- { learning_rate: 0.1 }`.', item ? r.range(item) : r.range(node));
      else r.wrongType(item, 'a mapping of param names to values');
      continue;
    }
    const params: Sweep['list'][number]['params'] = [];
    for (const p of item.items) {
      const param = keyText(p);
      if (param !== undefined && !params.some((x) => x.param === param)) params.push({ param: param.replace(/^params\./, ''), keyRange: r.range(p.key), value: toValue(p.value) });
    }
    sweep.list.push({ range: r.range(item), params });
  }
}
