// `tests:` on a SQL step or a source table → DataTests with ranges. A test is a name (`not_null`) or a
// one-key mapping of the test to its arguments (`{ range: { min: 0, severity: warn } }`); the kinds and
// their argument keys come from flow.schema.json, the single list. Shapes only: whether a `to:` table
// exists or a column is in the table is validate-tests.ts's job.
import schema from './flow.schema.json';
import {
  COLUMN_TEST_KINDS,
  TABLE_TEST_KINDS,
  type DataTest,
  type DataTests,
  type Fix,
  type Located,
  type Range,
  type RowBound,
  type Severity,
} from './model';
import { closest } from './suggest';
import { keyText, type YMap, type YNode } from './yaml-tree';

export interface TestParseContext {
  rangeOf(node: YNode | null | undefined): Range;
  report(code: string, severity: Severity, message: string, range: Range, fixes?: Fix[]): void;
}

type ArgsSchema = { properties: Record<string, unknown>; required?: string[] };
const COLUMN_ARGS = schema.definitions.columnTest.oneOf[1]!.properties as Record<string, ArgsSchema | { oneOf: unknown[] }>;
const TABLE_ARGS = schema.definitions.tableTest.oneOf[0]!.properties as Record<string, ArgsSchema | { oneOf: unknown[] }>;

/** The arguments mapping's schema of a kind (the second alternative when a short form exists). */
function argsSchema(kind: string): ArgsSchema {
  const s = COLUMN_ARGS[kind] ?? TABLE_ARGS[kind]!;
  return ('oneOf' in s ? s.oneOf[1] : s) as ArgsSchema;
}

/** What a kind's short form is: the value written straight after the kind, instead of a mapping. */
const SHORT_FORM: Record<string, 'values' | 'pattern' | 'columns' | 'file'> = {
  accepted_values: 'values',
  matches: 'pattern',
  unique_combination: 'columns',
  sql: 'file',
};

const isMap = (n: YNode | null | undefined): n is YMap => n?.kind === 'map';

export function parseTests(node: YNode | null, where: string, ctx: TestParseContext): DataTests | undefined {
  if (node === null) return undefined;
  if (!isMap(node)) {
    ctx.report('FB111', 'error', `\`tests:\` of ${where} must be a mapping with \`columns:\` (column → list of tests) and/or \`table:\` (a list of table tests).`, ctx.rangeOf(node));
    return undefined;
  }
  const tests: DataTest[] = [];
  const p = new TestsParser(ctx, tests);
  for (const item of node.items) {
    const key = keyText(item);
    const value = item.value as YNode | null;
    if (key === 'columns') p.columns(value);
    else if (key === 'table') p.list(value, undefined);
    else {
      const range = ctx.rangeOf(item.key as YNode);
      const guess = key === undefined ? undefined : closest(key, ['columns', 'table']);
      ctx.report('FB010', 'error', `Unknown key '${key ?? ''}' in \`tests:\` of ${where}: use \`columns:\` and \`table:\`.`, range, guess ? [{ title: `Change to '${guess}'`, edits: [{ range, newText: guess }] }] : undefined);
    }
  }
  return { range: ctx.rangeOf(node), tests };
}

class TestsParser {
  constructor(
    private readonly ctx: TestParseContext,
    private readonly out: DataTest[],
  ) {}

  columns(node: YNode | null): void {
    if (node === null) return;
    if (!isMap(node)) return this.bad(node, '`columns:` maps each column name to a list of tests, e.g. `delay_minutes: [not_null]`.');
    for (const item of node.items) {
      const name = keyText(item);
      if (name === undefined) continue;
      this.list(item.value as YNode | null, { value: name, range: this.ctx.rangeOf(item.key as YNode) });
    }
  }

  list(node: YNode | null, column: Located<string> | undefined): void {
    if (node === null) return;
    // a single test without brackets is fine: `origin: not_null`
    const items = node.kind === 'seq' ? node.items : [node];
    for (const item of items) if (item) this.test(item, column);
  }

  private test(node: YNode, column: Located<string> | undefined): void {
    const range = this.ctx.rangeOf(node);
    let kindNode: YNode;
    let args: YNode | null = null;
    if (node.kind === 'scalar') kindNode = node;
    else if (isMap(node) && node.items.length === 1) {
      kindNode = node.items[0]!.key;
      args = node.items[0]!.value as YNode | null;
    } else {
      const what = column ? 'a column test' : 'a table test';
      return this.bad(node, `${what} is a name such as \`not_null\` or a mapping with one key, the test, e.g. \`{ accepted_values: [a, b] }\`.`);
    }
    const kind = kindNode.kind === 'scalar' ? String(kindNode.value) : '';
    const kindRange = this.ctx.rangeOf(kindNode);
    const allowed: readonly string[] = column ? COLUMN_TEST_KINDS : TABLE_TEST_KINDS;
    if (!allowed.includes(kind)) {
      const other: readonly string[] = column ? TABLE_TEST_KINDS : COLUMN_TEST_KINDS;
      if (other.includes(kind)) {
        const message = column
          ? `'${kind}' is a table test: put it under \`tests: table:\`, not under a column.`
          : `'${kind}' is a column test: put it under \`tests: columns: <column>:\`.`;
        return this.ctx.report('FB110', 'error', message, kindRange);
      }
      const guess = closest(kind, allowed);
      this.ctx.report(
        'FB110',
        'error',
        `Unknown ${column ? 'column' : 'table'} test '${kind}'.${guess ? ` Did you mean '${guess}'?` : ''} ${column ? 'Column' : 'Table'} tests: ${allowed.join(', ')}.`,
        kindRange,
        guess ? [{ title: `Change to '${guess}'`, edits: [{ range: kindRange, newText: guess }] }] : undefined,
      );
      return;
    }
    const test: DataTest = { kind: kind as DataTest['kind'], severity: 'error', range, kindRange, ...(column && { column }) };
    if (this.arguments(test, args)) this.out.push(test);
  }

  /** Reads the arguments into the test; false when the test cannot run as written. */
  private arguments(test: DataTest, node: YNode | null): boolean {
    const { kind } = test;
    const short = SHORT_FORM[kind];
    const fields = new Map<string, YNode | null>();
    if (node === null) {
      // `{ not_null: }` is the bare name
    } else if (isMap(node)) {
      const keys = Object.keys(argsSchema(kind).properties);
      for (const item of node.items) {
        const key = keyText(item);
        if (key === undefined) continue;
        if (!keys.includes(key)) {
          const r = this.ctx.rangeOf(item.key as YNode);
          const guess = closest(key, keys);
          this.ctx.report('FB111', 'error', `Unknown argument '${key}' of ${kind}.${guess ? ` Did you mean '${guess}'?` : ''} ${kind} takes ${keys.map((k) => `\`${k}\``).join(', ')}.`, r, guess ? [{ title: `Change to '${guess}'`, edits: [{ range: r, newText: guess }] }] : undefined);
          continue;
        }
        fields.set(key, item.value as YNode | null);
      }
    } else if (short) {
      fields.set(short, node);
    } else {
      return this.bad(node, `${kind} takes a mapping of arguments (${Object.keys(argsSchema(kind).properties).join(', ')}), not ${describe(node)}.`), false;
    }
    const severity = fields.get('severity');
    if (severity !== undefined) {
      const value = severity?.kind === 'scalar' ? String(severity.value) : '';
      if (value === 'error' || value === 'warn') test.severity = value;
      else {
        const r = this.ctx.rangeOf(severity);
        const fix = value === 'warning' ? [{ title: "Change to 'warn'", edits: [{ range: r, newText: 'warn' }] }] : undefined;
        this.ctx.report('FB111', 'error', `Invalid severity '${value}': use \`error\` (fails the step) or \`warn\`.`, r, fix);
      }
    }
    for (const required of argsSchema(kind).required ?? []) {
      if (!fields.has(required) || fields.get(required) === null) {
        return this.ctx.report('FB111', 'error', `${kind} needs \`${required}:\`${EXAMPLES[kind] ? `, e.g. ${EXAMPLES[kind]}` : ''}.`, test.kindRange), false;
      }
    }
    switch (kind) {
      case 'accepted_values': {
        const list = fields.get('values')!;
        if (list?.kind !== 'seq' || list.items.some((i) => i?.kind !== 'scalar' || i.value === null)) return this.bad(list, 'accepted_values takes a list of values, e.g. `[train, valid, test]`.'), false;
        test.values = list.items.map((i) => (i as { value: string | number | boolean }).value);
        if (!test.values.length) return this.bad(list, 'accepted_values needs at least one value.'), false;
        return true;
      }
      case 'relationships':
        test.to = this.string(fields.get('to')!, 'to');
        test.field = this.string(fields.get('field')!, 'field');
        return Boolean(test.to && test.field);
      case 'range': {
        for (const key of ['min', 'max'] as const) {
          const n = fields.get(key);
          if (n === undefined) continue;
          if (n?.kind !== 'scalar' || (typeof n.value !== 'number' && typeof n.value !== 'string')) return this.bad(n, `\`${key}:\` of range is a number (or a string such as a date), not ${describe(n)}.`), false;
          test[key] = { value: n.value, range: this.ctx.rangeOf(n) };
        }
        if (!test.min && !test.max) return this.ctx.report('FB111', 'error', 'range needs `min:`, `max:` or both, e.g. `{ range: { min: 0, max: 100 } }`.', test.kindRange), false;
        if (test.min && test.max && typeof test.min.value === typeof test.max.value && test.min.value > test.max.value) {
          return this.ctx.report('FB111', 'error', `range: min ${test.min.value} is greater than max ${test.max.value}, so every row would fail.`, test.min.range), false;
        }
        return true;
      }
      case 'matches': {
        test.pattern = this.string(fields.get('pattern')!, 'pattern');
        if (!test.pattern) return false;
        const problem = regexProblem(test.pattern.value);
        if (problem) return this.ctx.report('FB112', 'error', `Malformed regular expression: ${problem}. matches uses DuckDB's regexp_matches (RE2 syntax: no lookarounds or backreferences).`, test.pattern.range), false;
        return true;
      }
      case 'row_count': {
        for (const [key, prop] of [['min', 'rowsMin'], ['max', 'rowsMax']] as const) {
          const n = fields.get(key);
          if (n === undefined) continue;
          const bound = this.bound(n, key);
          if (!bound) return false;
          test[prop] = bound;
        }
        if (!test.rowsMin && !test.rowsMax) return this.ctx.report('FB111', 'error', 'row_count needs `min:`, `max:` or both, e.g. `{ row_count: { min: 1000 } }` or `{ row_count: { min: 0.9 of staging } }`.', test.kindRange), false;
        return true;
      }
      case 'unique_combination': {
        const list = fields.get('columns')!;
        if (list?.kind !== 'seq' || list.items.length < 2 || list.items.some((i) => i?.kind !== 'scalar' || i.value === null)) return this.bad(list, 'unique_combination takes a list of two or more columns, e.g. `[departure, origin]`.'), false;
        test.columns = list.items.map((i) => ({ value: String((i as { value: unknown }).value), range: this.ctx.rangeOf(i) }));
        return true;
      }
      case 'sql':
        test.file = this.string(fields.get('file')!, 'file');
        return Boolean(test.file);
      case 'freshness': {
        test.column = this.string(fields.get('column')!, 'column');
        const age = fields.get('max_age')!;
        const seconds = age?.kind === 'scalar' ? (typeof age.value === 'number' ? age.value : parseAge(String(age.value))) : undefined;
        if (seconds === undefined || !(seconds > 0)) return this.bad(age, 'max_age is seconds or a duration such as 90s, 30m, 12h or 7d.'), false;
        test.maxAgeSeconds = { value: seconds, range: this.ctx.rangeOf(age) };
        return Boolean(test.column);
      }
      default:
        return true;
    }
  }

  private bound(node: YNode | null, key: string): RowBound | undefined {
    const range = this.ctx.rangeOf(node);
    if (node?.kind === 'scalar' && typeof node.value === 'number' && node.value >= 0) return { value: node.value, range };
    const text = node?.kind === 'scalar' ? String(node.value) : '';
    const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s+of\s+(\S+)\s*$/.exec(text);
    if (!m) return this.bad(node, `\`${key}:\` of row_count is a number of rows (1000) or a share of another table's rows (\`0.9 of staging\`, \`95% of raw.flights\`).`), undefined;
    const value = Number(m[1]) / (m[2] ? 100 : 1);
    const start = node!.start + (this.quoted(node!) ? 1 : 0) + text.lastIndexOf(m[3]!);
    return { value, of: { value: m[3]!, range: this.ctx.rangeOf({ kind: 'scalar', value: m[3]!, start, end: start + m[3]!.length }) }, range };
  }

  /** A quoted scalar's offsets include its quote. */
  private quoted(node: YNode): boolean {
    return node.kind === 'scalar' && node.end - node.start > String(node.value).length;
  }

  private string(node: YNode | null, key: string): Located<string> | undefined {
    if (node?.kind === 'scalar' && node.value !== null && typeof node.value !== 'object') return { value: String(node.value), range: this.ctx.rangeOf(node) };
    this.bad(node, `\`${key}:\` must be a string, not ${describe(node)}.`);
    return undefined;
  }

  private bad(node: YNode | null, message: string): void {
    this.ctx.report('FB111', 'error', message, this.ctx.rangeOf(node));
  }
}

const EXAMPLES: Record<string, string> = {
  relationships: '`{ relationships: { to: raw.airports, field: iata } }`',
  accepted_values: '`{ accepted_values: [a, b] }`',
  matches: "`{ matches: '^[A-Z]{3}$' }`",
  unique_combination: '`{ unique_combination: [a, b] }`',
  sql: '`{ sql: tests/no_orphans.sql }`',
  freshness: '`{ freshness: { column: loaded_at, max_age: 1d } }`',
};

/** Why `pattern` is not a regular expression, or undefined. JS syntax is close enough to RE2's to catch typos. */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (e) {
    try {
      // some RE2 patterns are valid without the u flag (e.g. `\-`)
      new RegExp(pattern);
      return undefined;
    } catch {
      return (e as Error).message.replace(/^Invalid regular expression: /, '');
    }
  }
}

export function parseAge(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(m[2] ?? 's') as 's']!;
}

function describe(node: YNode | null): string {
  if (node === null || node === undefined) return 'nothing';
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  return node.value === null ? 'null' : `${typeof node.value} ${JSON.stringify(node.value)}`;
}
