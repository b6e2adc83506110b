// Flow file → Flow model with a range for every key and value, plus structural problems
// (YAML syntax, unknown keys, wrong types, missing required keys). Never throws: whatever can be
// understood is kept, so the editor and the tree keep working while the file is half typed.
import { dirname, resolve } from 'node:path';
import { keyText, readYaml, toValue, type YamlTree, type YMap, type YNode, type YPair, type YScalar, type YSeq } from './yaml-tree';
import schema from './flow.schema.json';
import type {
  Compute,
  Fix,
  Flow,
  Located,
  ParseResult,
  Problem,
  Range,
  SageMakerCompute,
  Severity,
  Source,
  Step,
  WarehouseProfile,
} from './model';
import { emptyRange, LineIndex } from './positions';
import { parseTests } from './parse-tests';
import { closest } from './suggest';
import { parseModelChecks } from './model-checks';
import { parseSweeps, type SweepReader } from './sweep-parse';

const MAX_YAML_ERRORS = 50;

export const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

type SchemaProps = Record<string, { description?: string }>;
/** A mapping's entries by key: the first of each. */
type Fields = Map<string, { value: YNode | null; pair: YPair }>;
const KEYS = {
  flow: schema.properties as SchemaProps,
  step: schema.definitions.step.properties as SchemaProps,
  sagemaker: schema.definitions.sagemaker.properties as SchemaProps,
  table: schema.definitions.table.properties as SchemaProps,
  profile: schema.definitions.profile.properties as SchemaProps,
  model: schema.properties.model.properties as SchemaProps,
  sweep: schema.definitions.sweep.properties as SchemaProps,
  sweepRandom: schema.definitions.sweepRandom.properties as SchemaProps,
};

/** `tree`: the YAML tree of `text` when the caller has already read it (the language server does, to choose where to analyse). */
export function parseFlow(text: string, file: string, tree?: YamlTree): ParseResult {
  return new FlowParser(text, resolve(file)).parse(tree);
}

class FlowParser {
  private readonly lines: LineIndex;
  private readonly problems: Problem[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.lines = new LineIndex(text);
  }

  parse(tree?: YamlTree): ParseResult {
    const flow: Flow = {
      file: this.file,
      root: dirname(this.file),
      params: new Map(),
      warehouses: new Map(),
      sources: new Map(),
      steps: new Map(),
      sweeps: new Map(),
    };
    const doc = tree ?? readYaml(this.text);
    // A badly broken file can yield tens of thousands of YAML errors; past the first few nobody reads them.
    for (const error of doc.errors.slice(0, MAX_YAML_ERRORS)) {
      const code = error.code === 'DUPLICATE_KEY' ? 'FB002' : 'FB001';
      const message = firstLine(error.message);
      const remedy = code === 'FB002' ? ' Each key may appear once: remove or rename the duplicate.' : '';
      this.report(code, 'error', `${message}.${remedy}`.replace('..', '.'), this.span(error.start, Math.max(error.end, error.start + 1)));
    }
    if (doc.errors.length > MAX_YAML_ERRORS) {
      const last = doc.errors[MAX_YAML_ERRORS]!;
      this.report('FB001', 'error', `${doc.errors.length - MAX_YAML_ERRORS} more YAML errors after this point; fix the ones above first.`, this.span(last.start, Math.max(last.end, last.start + 1)));
    }
    const root = doc.root;
    if (!isMap(root)) {
      if (doc.errors.length === 0) {
        const range = root ? this.rangeOf(root) : emptyRange;
        this.report('FB012', 'error', 'A flow file is a mapping with at least `flow:` (its name) and `steps:`.', range);
      }
      return { flow, problems: this.problems };
    }
    this.checkKeys(root, KEYS.flow, 'the flow file');
    const seen = new Set<string>();
    for (const pair of root.items) {
      const key = keyText(pair);
      if (key === undefined) continue;
      seen.add(key);
      const value = pair.value as YNode | null;
      switch (key) {
        case 'flow': flow.name = this.string(value, pair, 'flow'); break;
        case 'description': flow.description = this.string(value, pair, 'description'); break;
        case 'warehouse': flow.warehouse = this.string(value, pair, 'warehouse'); break;
        case 'params': this.params(value, pair, flow); break;
        case 'warehouses': this.warehouses(value, pair, flow); break;
        case 'sources': this.sources(value, pair, flow); break;
        case 'steps': this.steps(value, pair, flow); break;
        case 'model': this.model(value, pair, flow); break;
        case 'sweeps': parseSweeps(value, flow.sweeps, this.sweepReader(pair)); break;
      }
    }
    for (const required of ['flow', 'steps']) {
      if (!seen.has(required)) {
        const hint = required === 'flow' ? 'a name, e.g. `flow: my-pipeline`' : 'a mapping of step names to steps';
        const addName: Fix = { title: 'Add `flow:` with a name', edits: [{ range: emptyRange, newText: `flow: ${defaultFlowName(this.file)}\n` }] };
        this.report('FB012', 'error', `Missing required key \`${required}:\` (${hint}).`, this.rangeOf(root.items[0]?.key as YNode | undefined), required === 'flow' ? [addName] : undefined);
      }
    }
    if (flow.name && !STEP_NAME.test(flow.name.value)) {
      this.report('FB014', 'error', `Invalid flow name '${flow.name.value}': start with a letter and use letters, digits, '_' or '-'.`, flow.name.range);
    }
    return { flow, problems: this.problems };
  }

  // ---- sections -------------------------------------------------------------------------------

  private params(value: YNode | null, pair: YPair, flow: Flow): void {
    if (value === null || value === undefined) return;
    if (!isMap(value)) return this.wrongType(value, pair, 'a mapping of param names to values');
    const walk = (map: YMap, prefix: string) => {
      for (const item of map.items) {
        const key = keyText(item);
        if (key === undefined) continue;
        const name = prefix + key;
        const node = item.value as YNode | null;
        const keyRange = this.rangeOf(item.key as YNode);
        flow.params.set(name, { name, value: toValue(node), keyRange, valueRange: node ? this.rangeOf(node) : keyRange });
        if (isMap(node)) walk(node, `${name}.`);
      }
    };
    walk(value, '');
  }

  private warehouses(value: YNode | null, pair: YPair, flow: Flow): void {
    for (const [name, nameRange, node] of this.namedEntries(value, pair, 'a mapping of profile names to profiles')) {
      if (!isMap(node)) {
        this.wrongType(node, undefined, 'a profile mapping with `type: duckdb` or `type: snowflake`', nameRange);
        continue;
      }
      this.checkKeys(node, KEYS.profile, `warehouse profile '${name}'`);
      const fields = this.fields(node);
      const type = this.enumOf(fields.get('type'), ['duckdb', 'snowflake'] as const, 'type');
      if (!type) {
        if (!fields.has('type')) this.report('FB012', 'error', `Warehouse profile '${name}' needs \`type: duckdb\` or \`type: snowflake\`.`, nameRange);
        continue;
      }
      const profile: WarehouseProfile = { name, nameRange, type };
      for (const key of ['path', 'account', 'user', 'database', 'schema', 'warehouse', 'role', 'authenticator', 'connection'] as const) {
        const v = this.string(fields.get(key)?.value ?? null, fields.get(key)?.pair, key);
        if (v) profile[key] = v;
      }
      flow.warehouses.set(name, profile);
    }
  }

  private sources(value: YNode | null, pair: YPair, flow: Flow): void {
    for (const [name, nameRange, node] of this.namedEntries(value, pair, 'a mapping of source names to tables')) {
      const source: Source = { name, nameRange, tables: new Map() };
      flow.sources.set(name, source);
      for (const [table, tableRange, tableNode] of this.namedEntries(node, undefined, `a mapping of table names to files under source '${name}'`, nameRange)) {
        if (!isMap(tableNode)) {
          this.wrongType(tableNode, undefined, `a mapping such as \`${table}: { path: data/${table}.csv }\``, tableRange);
          continue;
        }
        this.checkKeys(tableNode, KEYS.table, `source table '${name}.${table}'`);
        const fields = this.fields(tableNode);
        const path = this.string(fields.get('path')?.value ?? null, fields.get('path')?.pair, 'path');
        const relation = this.string(fields.get('relation')?.value ?? null, fields.get('relation')?.pair, 'relation');
        if (!fields.has('path') && !fields.has('relation')) this.report('FB012', 'error', `Source table '${name}.${table}' needs \`path:\`, the data file it reads (or \`relation:\`, a Snowflake table).`, tableRange);
        const format = this.enumOf(fields.get('format'), ['csv', 'parquet', 'json'] as const, 'format');
        const tests = fields.has('tests') ? parseTests(fields.get('tests')!.value, `source table '${name}.${table}'`, this) : undefined;
        source.tables.set(table, { source: name, name: table, nameRange: tableRange, ...(path && { path }), ...(relation && { relation }), ...(format && { format }), ...(tests && { tests }) });
      }
    }
  }

  private steps(value: YNode | null, pair: YPair, flow: Flow): void {
    for (const [name, nameRange, node] of this.namedEntries(value, pair, 'a mapping of step names to steps')) {
      if (!STEP_NAME.test(name)) {
        this.report('FB014', 'error', `Invalid step name '${name}': start with a letter and use only letters, digits, '_' or '-'.`, nameRange);
      }
      const step: Step = {
        name,
        nameRange,
        range: node ? this.rangeOf(node) : nameRange,
        deps: [],
        outs: [],
        params: [],
        metrics: [],
        inputs: [],
        needs: [],
        env: new Map(),
        compute: { target: 'local', range: nameRange },
      };
      flow.steps.set(name, step);
      if (!isMap(node)) {
        this.report('FB012', 'error', `Step '${name}' needs \`run:\` (a command) or \`sql:\` (a SQL file).`, nameRange);
        continue;
      }
      this.step(node, step);
    }
  }

  private step(node: YMap, step: Step): void {
    this.checkKeys(node, KEYS.step, `step '${step.name}'`);
    const fields = this.fields(node);
    const str = (key: string) => this.stringField(fields, key);
    const list = (key: string) => this.stringListField(fields, key);
    const run = str('run');
    const sql = str('sql');
    if (run) { step.run = run; step.kind = 'run'; }
    if (sql) { step.sql = sql; step.kind = 'sql'; }
    if (fields.has('run') && fields.has('sql')) {
      this.report('FB013', 'error', `Step '${step.name}' has both \`run:\` and \`sql:\`: a step is either a command or a SQL file. Split it into two steps.`, step.nameRange);
    } else if (!fields.has('run') && !fields.has('sql')) {
      this.report('FB012', 'error', `Step '${step.name}' needs \`run:\` (a command) or \`sql:\` (a SQL file).`, step.nameRange);
    }
    const description = str('description');
    if (description) step.description = description;
    const warehouse = str('warehouse');
    if (warehouse) step.warehouse = warehouse;
    const cwd = str('cwd');
    if (cwd) step.cwd = cwd;
    const materialize = this.enumOf(fields.get('materialize'), ['table', 'view'] as const, 'materialize');
    if (materialize) step.materialize = materialize;
    step.deps = list('deps');
    step.outs = list('outs');
    step.params = list('params');
    step.metrics = list('metrics');
    step.inputs = list('inputs');
    step.needs = list('needs');
    const env = fields.get('env');
    if (env) step.env = this.env(env.value, env.pair);
    const compute = fields.get('compute');
    if (compute) step.compute = this.compute(compute.value, compute.pair, step.nameRange);
    const timeout = fields.get('timeout');
    if (timeout) {
      const seconds = this.duration(timeout.value, timeout.pair);
      if (seconds) step.timeout = seconds;
    }
    const retries = fields.get('retries');
    if (retries) {
      const n = this.integer(retries.value, retries.pair, 'retries', 0);
      if (n) step.retries = n;
    }
    const tests = fields.get('tests');
    if (tests) step.tests = parseTests(tests.value, `step '${step.name}'`, this);
    if (step.kind === 'run') {
      for (const key of ['materialize', 'warehouse', 'tests'] as const) {
        const field = fields.get(key);
        if (field) this.report('FB015', 'warning', `\`${key}:\` only applies to SQL steps; step '${step.name}' is a command step.`, this.rangeOf(field.pair.key as YNode));
      }
    }
  }

  private env(value: YNode | null, pair: YPair): Map<string, Located<string>> {
    const env = new Map<string, Located<string>>();
    if (value === null) return env;
    if (!isMap(value)) {
      this.wrongType(value, pair, 'a mapping of variable names to values');
      return env;
    }
    for (const item of value.items) {
      const key = keyText(item);
      const node = item.value as YNode | null;
      if (key === undefined || !node) continue;
      if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
        env.set(key, { value: String(node.value), range: this.rangeOf(node) });
      } else {
        this.wrongType(node, item, 'a string, number or boolean');
      }
    }
    return env;
  }

  private compute(value: YNode | null, pair: YPair, fallback: Range): Compute {
    const range = value ? this.rangeOf(value) : fallback;
    if (isScalar(value)) {
      const target = String(value.value);
      if (target === 'sagemaker') return { target: 'sagemaker', range };
      if (target !== 'local') {
        const guess = closest(target, ['local', 'sagemaker']);
        this.report('FB071', 'error', `Unknown compute target '${target}': use \`local\` or \`sagemaker\`.`, range, guess ? [replaceFix(guess, range)] : undefined);
      }
      return { target: 'local', range };
    }
    if (!isMap(value)) {
      if (value) this.wrongType(value, pair, '`local`, `sagemaker`, or a mapping with `target:`');
      return { target: 'local', range };
    }
    this.checkKeys(value, KEYS.sagemaker, 'compute');
    const fields = this.fields(value);
    const target = this.enumOf(fields.get('target'), ['local', 'sagemaker'] as const, 'target');
    if (!fields.has('target')) this.report('FB012', 'error', 'A compute mapping needs `target: sagemaker` (or write `compute: local`).', range);
    if (target?.value !== 'sagemaker') return { target: 'local', range };
    const sm: SageMakerCompute = { target: 'sagemaker', range };
    const str = (key: string) => this.string(fields.get(key)?.value ?? null, fields.get(key)?.pair, key);
    const int = (key: string) => {
      const f = fields.get(key);
      return f ? this.integer(f.value, f.pair, key, 1) : undefined;
    };
    const assign = <K extends keyof SageMakerCompute>(key: K, v: SageMakerCompute[K] | undefined) => { if (v) sm[key] = v; };
    assign('instanceType', str('instance_type'));
    assign('image', str('image'));
    assign('role', str('role'));
    assign('region', str('region'));
    assign('s3Prefix', str('s3_prefix'));
    assign('instanceCount', int('instance_count'));
    assign('volumeSizeGb', int('volume_size_gb'));
    assign('maxRuntimeSeconds', int('max_runtime_seconds'));
    assign('maxWaitSeconds', int('max_wait_seconds'));
    assign('job', this.enumOf(fields.get('job'), ['training', 'processing'] as const, 'job'));
    const spot = fields.get('spot');
    if (spot) {
      if (isScalar(spot.value) && typeof spot.value.value === 'boolean') sm.spot = { value: spot.value.value, range: this.rangeOf(spot.value) };
      else this.wrongType(spot.value, spot.pair, '`true` or `false`');
    }
    return sm;
  }

  private model(value: YNode | null, pair: YPair, flow: Flow): void {
    if (value === null) return;
    if (!isMap(value)) return this.wrongType(value, pair, 'a mapping with `path:` and `card:`');
    this.checkKeys(value, KEYS.model, 'model');
    const fields = this.fields(value);
    const card = new Map<string, Located<unknown>>();
    const cardField = fields.get('card');
    if (cardField && isMap(cardField.value)) {
      for (const item of cardField.value.items) {
        const key = keyText(item);
        const node = item.value as YNode | null;
        if (key !== undefined) card.set(key, { value: toValue(node), range: this.rangeOf(node ?? (item.key as YNode)) });
      }
    } else if (cardField?.value) {
      this.wrongType(cardField.value, cardField.pair, 'a mapping of model card fields');
    }
    const path = this.string(fields.get('path')?.value ?? null, fields.get('path')?.pair, 'path');
    const step = this.string(fields.get('step')?.value ?? null, fields.get('step')?.pair, 'step');
    const sample = this.string(fields.get('sample')?.value ?? null, fields.get('sample')?.pair, 'sample');
    const checksField = fields.get('checks');
    const checks = checksField ? parseModelChecks(checksField.value, this.rangeOf(checksField.pair.key as YNode), this) : [];
    flow.model = { range: this.rangeOf(value), keyRange: this.rangeOf(pair.key as YNode), card, checks, ...(path && { path }), ...(step && { step }), ...(sample && { sample }) };
  }

  private sweepReader(pair: YPair): SweepReader {
    return {
      range: (node) => this.rangeOf(node),
      report: (code, severity, message, range, fixes) => this.report(code, severity, message, range, fixes),
      checkKeys: (map, which, where) => this.checkKeys(map, which === 'sweep' ? KEYS.sweep : KEYS.sweepRandom, where),
      wrongType: (node, expected, fallback) => this.wrongType(node, node === pair.value ? pair : undefined, expected, fallback),
    };
  }

  // ---- typed readers --------------------------------------------------------------------------

  private string(node: YNode | null, pair: YPair | undefined, key: string): Located<string> | undefined {
    if (node === null || node === undefined) {
      if (pair) this.report('FB011', 'error', `\`${key}:\` has no value.`, this.rangeOf(pair.key as YNode));
      return undefined;
    }
    if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      return { value: String(node.value), range: this.rangeOf(node) };
    }
    this.wrongType(node, pair, 'a string');
    return undefined;
  }

  private stringField(fields: Fields, key: string): Located<string> | undefined {
    const field = fields.get(key);
    return this.string(field?.value ?? null, field?.pair, key);
  }

  private stringListField(fields: Fields, key: string): Located<string>[] {
    const field = fields.get(key);
    return this.stringList(field?.value ?? null, field?.pair, key);
  }

  private stringList(node: YNode | null, pair: YPair | undefined, key: string): Located<string>[] {
    if (node === null || node === undefined) return [];
    if (isScalar(node)) {
      const one = this.string(node, pair, key);
      return one ? [one] : [];
    }
    if (!isSeq(node)) {
      this.wrongType(node, pair, 'a string or a list of strings');
      return [];
    }
    const out: Located<string>[] = [];
    for (const item of node.items as (YNode | null)[]) {
      if (item === null) continue;
      const v = this.string(item, undefined, key);
      if (v) out.push(v);
    }
    return out;
  }

  private integer(node: YNode | null, pair: YPair, key: string, min: number): Located<number> | undefined {
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) {
      if (node.value >= min) return { value: node.value, range: this.rangeOf(node) };
      this.report('FB015', 'error', `\`${key}:\` must be at least ${min}.`, this.rangeOf(node));
      return undefined;
    }
    this.wrongType(node, pair, 'a whole number');
    return undefined;
  }

  private duration(node: YNode | null, pair: YPair): Located<number> | undefined {
    if (isScalar(node)) {
      const raw = node.value;
      const seconds = typeof raw === 'number' ? raw : parseDuration(String(raw));
      if (seconds !== undefined && seconds > 0) return { value: seconds, range: this.rangeOf(node) };
      this.report('FB015', 'error', `Invalid timeout '${String(raw)}': write seconds (600) or a duration such as 90s, 30m or 2h.`, this.rangeOf(node));
      return undefined;
    }
    this.wrongType(node, pair, 'seconds or a duration such as 30m');
    return undefined;
  }

  private enumOf<T extends string>(field: { value: YNode | null; pair: YPair } | undefined, allowed: readonly T[], key: string): Located<T> | undefined {
    if (!field) return undefined;
    const v = this.string(field.value, field.pair, key);
    if (!v) return undefined;
    if ((allowed as readonly string[]).includes(v.value)) return v as Located<T>;
    const guess = closest(v.value, allowed);
    this.report('FB015', 'error', `Invalid ${key} '${v.value}': use ${allowed.map((a) => `\`${a}\``).join(' or ')}.`, v.range, guess ? [replaceFix(guess, v.range)] : undefined);
    return undefined;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Entries of a name → node mapping, reporting a wrong type once. */
  private namedEntries(value: YNode | null, pair: YPair | undefined, expected: string, fallback?: Range): [string, Range, YNode | null][] {
    if (value === null || value === undefined) return [];
    if (!isMap(value)) {
      this.wrongType(value, pair, expected, fallback);
      return [];
    }
    const out: [string, Range, YNode | null][] = [];
    const seen = new Set<string>();
    for (const item of value.items) {
      const key = keyText(item);
      // A duplicate name is already reported as FB002; the first definition wins.
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      out.push([key, this.rangeOf(item.key as YNode), item.value as YNode | null]);
    }
    return out;
  }

  private fields(map: YMap): Fields {
    const out: Fields = new Map();
    for (const item of map.items) {
      const key = keyText(item);
      if (key !== undefined && !out.has(key)) out.set(key, { value: item.value as YNode | null, pair: item });
    }
    return out;
  }

  private checkKeys(map: YMap, allowed: SchemaProps, where: string): void {
    for (const item of map.items) {
      const key = keyText(item);
      if (key === undefined) {
        if (item.key) this.report('FB011', 'error', `Keys in ${where} must be plain names.`, this.rangeOf(item.key as YNode));
        continue;
      }
      if (key in allowed) continue;
      const range = this.rangeOf(item.key as YNode);
      const names = Object.keys(allowed);
      const guess = closest(key, names);
      const message = `Unknown key '${key}' in ${where}.${guess ? ` Did you mean '${guess}'?` : ` Allowed: ${names.join(', ')}.`}`;
      this.report('FB010', 'error', message, range, guess ? [replaceFix(guess, range)] : undefined);
    }
  }

  private wrongType(node: YNode | null, pair: YPair | undefined, expected: string, fallback?: Range): void {
    const key = pair ? keyText(pair) : undefined;
    const range = node ? this.rangeOf(node) : fallback ?? (pair ? this.rangeOf(pair.key as YNode) : emptyRange);
    this.report('FB011', 'error', `${key ? `\`${key}:\` must be` : 'Expected'} ${expected}, not ${describe(node)}.`, range);
  }

  rangeOf(node: YNode | undefined | null): Range {
    return node ? this.span(node.start, node.end) : emptyRange;
  }

  private span(start: number, end: number): Range {
    return this.lines.range(start, end);
  }

  report(code: string, severity: Severity, message: string, range: Range, fixes?: Fix[]): void {
    this.problems.push({ code, severity, message, file: this.file, range, ...(fixes?.length && { fixes }) });
  }
}

const isMap = (n: YNode | null | undefined): n is YMap => n?.kind === 'map';
const isSeq = (n: YNode | null | undefined): n is YSeq => n?.kind === 'seq';
const isScalar = (n: YNode | null | undefined): n is YScalar => n?.kind === 'scalar';

function describe(node: YNode | null): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    return `${typeof node.value === 'string' ? 'the string' : `the ${typeof node.value}`} ${JSON.stringify(node.value)}`;
  }
  return 'a value';
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function defaultFlowName(file: string): string {
  const base = file.split(/[\\/]/).pop()!.replace(/\.flow\.ya?ml$/, '');
  return STEP_NAME.test(base) ? base : 'my-flow';
}

export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's']!;
  return Number(m[1]) * factor;
}

export function replaceFix(replacement: string, range: Range): Fix {
  return { title: `Change to '${replacement}'`, edits: [{ range, newText: replacement }] };
}
