// Semantic checks of `tests:` (shapes are parse-tests.ts's): what `relationships: to:` and a row_count
// ratio's `of` name, custom test files, and columns against the table as it was last materialized
// (the schema the engine leaves in .flowbench/checks/<step>.json after a run).
import { createHash } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { readViolation } from './confine';
import type { FileHost } from './host';
import type { DataTests, Flow, Located, Problem, Range, Severity } from './model';
import { closest } from './suggest';
import { scanTemplate } from '../sql/template';
import { LineIndex } from './positions';

/** Where the engine keeps a table's last profile and test results (see core/engine/data-checks.ts). */
export function checksPath(root: string, table: string): string {
  return join(root, '.flowbench', 'checks', `${table.replace(/[^\w.-]/g, '_')}.json`);
}

export function sqlHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The columns of a table's last materialization and the SQL it came from, if a run left them. */
export function lastSchema(root: string, table: string, host: FileHost): { columns: string[]; sql?: string } | undefined {
  const text = host.readText(checksPath(root, table));
  if (!text) return undefined;
  try {
    const json = JSON.parse(text) as { profile?: { columns?: { name?: unknown }[] }; sql?: unknown };
    const columns = json.profile?.columns?.map((c) => c.name).filter((n): n is string => typeof n === 'string');
    return columns ? { columns, ...(typeof json.sql === 'string' && { sql: json.sql }) } : undefined;
  } catch {
    return undefined;
  }
}

/** Pass / warn / fail counts of a table's tests when they last ran, for the Pipelines view. */
/** What the editor reads of a test in a table's last check: the run store's TestResult, seen from core/flow. */
export interface LastTest {
  name: string;
  table: string;
  severity: 'error' | 'warn';
  status: 'pass' | 'fail' | 'error';
  failing?: number;
  message?: string;
  sample?: Record<string, unknown>[];
  location?: { file: string; line: number };
}

/** The tests of a table's last check (.flowbench/checks/<table>.json), or undefined before its first check. */
export function lastTests(root: string, table: string, host: FileHost): LastTest[] | undefined {
  const text = host.readText(checksPath(root, table));
  if (!text) return undefined;
  try {
    const tests = (JSON.parse(text) as { tests?: LastTest[] }).tests ?? [];
    return tests.length ? tests : undefined;
  } catch {
    return undefined;
  }
}

/** A failed test as Markdown: what failed, how many rows, and its sample of failing rows as a table. */
export function failingRowsMarkdown(test: LastTest): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '∅' : String(typeof v === 'object' ? JSON.stringify(v) : v)).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`# ${test.table}: ${test.name}`, '', `${test.status === 'error' ? 'Could not run' : 'Failed'} (${test.severity})${test.failing !== undefined ? `: ${test.failing.toLocaleString('en-US')} failing row${test.failing === 1 ? '' : 's'}` : ''}.`];
  if (test.message) lines.push('', test.message);
  if (test.location) lines.push('', `Declared at ${test.location.file}:${test.location.line}.`);
  const rows = test.sample ?? [];
  if (rows.length) {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    lines.push('', `Sample of the failing rows (${rows.length}):`, '', `| ${columns.map(cell).join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const r of rows) lines.push(`| ${columns.map((c) => cell(r[c])).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

export function validateTests(flow: Flow, host: FileHost, project: string): Problem[] {
  const problems: Problem[] = [];
  const report = (code: string, severity: Severity, message: string, range: Range, file = flow.file, fix?: string) =>
    problems.push({ code, severity, message, file, range, ...(fix && { fixes: [{ title: `Change to '${fix}'`, edits: [{ range, newText: fix }] }] }) });
  const tables = [...[...flow.steps.values()].filter((s) => s.kind === 'sql').map((s) => s.name), ...[...flow.sources.values()].flatMap((s) => [...s.tables.keys()].map((t) => `${s.name}.${t}`))];

  /** A table a test names: a SQL step or `source.table`. */
  const target = (name: Located<string>, what: string): boolean => {
    const step = flow.steps.get(name.value);
    if (step) {
      if (step.kind === 'sql') return true;
      report('FB114', 'error', `${what} '${name.value}' is a command step, which has no table to test against: name a SQL step or a source table (\`source.table\`).`, name.range);
      return false;
    }
    const [source, table] = name.value.split('.');
    if (table !== undefined && flow.sources.get(source!)?.tables.has(table)) return true;
    const guess = closest(name.value, tables);
    report('FB113', 'error', `${what} '${name.value}' is neither a SQL step nor a source table (\`source.table\`).${guess ? ` Did you mean '${guess}'?` : tables.length ? ` Tables: ${tables.join(', ')}.` : ''}`, name.range, flow.file, guess);
    return false;
  };

  const check = (tests: DataTests, table: string, sqlText: string | undefined) => {
    lastFailures(tests, table);
    const schema = lastSchema(flow.root, table, host);
    // Unchanged SQL since that run means the column is surely missing; edited SQL may have added it.
    const sure = schema && sqlText !== undefined && schema.sql === sqlHash(sqlText);
    const column = (name: Located<string>, where: string, columns: string[] | undefined) => {
      if (!columns || columns.includes(name.value)) return;
      const guess = closest(name.value, columns);
      const remedy = sure ? '' : ' (the SQL changed since; run the step to check again)';
      report('FB116', sure ? 'error' : 'warning', `${where}: column '${name.value}' is not in ${table} as last materialized${remedy}.${guess ? ` Did you mean '${guess}'?` : ` Columns: ${columns.join(', ')}.`}`, name.range, flow.file, guess);
    };
    // the tests of one column share its key: report that once
    const seen = new Set<string>();
    for (const test of tests.tests) {
      const at = test.column && `${test.column.range.start.line}:${test.column.range.start.character}`;
      if (test.column && at && !seen.has(at)) {
        seen.add(at);
        column(test.column, `${test.kind} test`, schema?.columns);
      }
      for (const c of test.columns ?? []) column(c, 'unique_combination', schema?.columns);
      if (test.to && target(test.to, 'relationships: to:') && test.field) {
        column(test.field, `relationships to ${test.to.value}`, lastSchema(flow.root, test.to.value, host)?.columns);
      }
      for (const bound of [test.rowsMin, test.rowsMax]) if (bound?.of) target(bound.of, 'row_count:');
      if (test.file) sqlTestFile(test.file);
    }
  };

  /** The tests that failed when they last ran, on their lines; never errors, since a run must still be possible. */
  const lastFailures = (tests: DataTests, table: string) => {
    const text = host.readText(checksPath(flow.root, table));
    if (!text) return;
    let results: { kind?: string; column?: string; table?: string; status?: string; severity?: string; name?: string; message?: string }[];
    try {
      results = (JSON.parse(text) as { tests?: typeof results }).tests?.filter((r) => r.table === table) ?? [];
    } catch {
      return;
    }
    tests.tests.forEach((t, i) => {
      const r = results[i];
      if (!r || r.kind !== t.kind || r.column !== t.column?.value || r.status === 'pass') return;
      const verb = r.status === 'error' ? 'could not run' : 'failed';
      report('FB117', r.severity === 'warn' ? 'info' : 'warning', `${r.name} ${verb} in the last check: ${r.message ?? ''} (flowbench show or flowbench test ${table} for the failing rows)`, t.range);
    });
  };

  const sqlTestFile = (file: Located<string>) => {
    const abs = resolve(flow.root, file.value);
    const away = readViolation(file.value, abs, flow.root, project);
    if (away) return report('FB045', 'error', `SQL test file '${file.value}' ${away}: paths a flow names never escape its project.`, file.range);
    const text = host.readText(abs);
    if (text === undefined) return report('FB115', 'error', `SQL test file '${file.value}' does not exist: create it with one SELECT returning the failing rows.`, file.range);
    const scan = scanTemplate(text);
    const lines = new LineIndex(text);
    for (const p of scan.problems) report('FB024', 'error', p.message, lines.range(p.start, p.end), abs);
    for (const call of scan.calls) {
      const at = call.argRanges[0] ? lines.range(call.argRanges[0].start, call.argRanges[0].end) : lines.range(call.start, call.end);
      if (call.fn === 'ref' && call.args[0] !== undefined) {
        const step = flow.steps.get(call.args[0]);
        if (!step || step.kind !== 'sql') report('FB115', 'error', `ref('${call.args[0]}') in ${relative(flow.root, abs)}: ${step ? 'a command step has no table' : 'no such step'}; ref() takes SQL steps.`, at, abs);
      } else if (call.fn === 'source' && call.args.length === 2) {
        if (!flow.sources.get(call.args[0]!)?.tables.has(call.args[1]!)) report('FB115', 'error', `source('${call.args[0]}', '${call.args[1]}') in ${relative(flow.root, abs)} names no table under \`sources:\`.`, at, abs);
      } else if (call.fn === 'param' && !flow.params.has(call.args[0] ?? '')) {
        report('FB021', 'error', `Unknown param '${call.args[0]}' in ${relative(flow.root, abs)}.`, at, abs);
      }
    }
  };

  for (const step of flow.steps.values()) {
    if (step.tests && step.kind === 'sql') check(step.tests, step.name, step.sql && host.readText(resolve(flow.root, step.sql.value)));
  }
  for (const source of flow.sources.values()) {
    for (const table of source.tables.values()) if (table.tests) check(table.tests, `${source.name}.${table.name}`, undefined);
  }
  return problems;
}
