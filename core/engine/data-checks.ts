// Data tests and the profile of a SQL step's table, run by the engine once the table is in place: after
// the step ran, after a restore, and when only the tests changed (the table itself is kept). What was
// checked is remembered in .flowbench/checks/<step>.json (results, profile, the fingerprint of the
// tests and the table they ran on), so an unchanged, passing step is not checked again, and the editor
// and `validate` know the table's last columns.
import * as fs from 'node:fs';
import type { FlowAnalysis } from '../flow/analyze';
import type { DataTests, SourceTable, Step } from '../flow/model';
import { checksPath, sqlHash } from '../flow/validate-tests';
import type { SqlExecutor } from '../sql/execute';
import type { TableProfile, TestResult } from '../runs/types';
import { writeJsonAtomicSync } from './atomic';
import type { SourceLocation } from './events';
import { stableJson } from './fingerprint';
import { sha256Text } from './hasher';

export interface TableChecks {
  version: 1;
  table: string;
  /** sha256 of the step's table fingerprint, its tests and the custom test files: equal means nothing to re-check. */
  testsFingerprint: string;
  /** sha256 of the SQL file the table came from, for column checks in the editor. */
  sql?: string;
  passed: boolean;
  tests: TestResult[];
  profile?: TableProfile;
  time: number;
}

export interface ChecksOutcome {
  tests: TestResult[];
  profile?: TableProfile;
  /** Set when an `error` test failed: the step fails with it. */
  failure?: { message: string; location?: SourceLocation };
  /** True when nothing ran: the remembered results still hold. */
  reused: boolean;
}

/** The tests of the source tables a step's SQL reads. */
export function sourceTablesTested(analysis: FlowAnalysis, step: Step): SourceTable[] {
  const out: SourceTable[] = [];
  for (const call of analysis.sql.get(step.name)?.template.calls ?? []) {
    if (call.fn !== 'source') continue;
    const table = analysis.flow.sources.get(call.args[0] ?? '')?.tables.get(call.args[1] ?? '');
    if (table?.tests?.tests.length && !out.includes(table)) out.push(table);
  }
  return out;
}

/** Test definitions without positions, plus the custom test files' text. */
function definitions(root: string, tests: DataTests | undefined): unknown {
  return (tests?.tests ?? []).map((t) => {
    const { range: _r, kindRange: _k, ...rest } = t;
    const plain = JSON.parse(JSON.stringify(rest, (k, v) => (k === 'range' ? undefined : v)));
    if (t.file) plain.text = readOrMissing(`${root}/${t.file.value}`);
    return plain;
  });
}

function readOrMissing(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return 'missing';
  }
}

export function testsFingerprint(analysis: FlowAnalysis, step: Step, tableFingerprint: string): string {
  const root = analysis.flow.root;
  const sources = sourceTablesTested(analysis, step).map((t) => [`${t.source}.${t.name}`, definitions(root, t.tests)]);
  return sha256Text(stableJson({ v: 1, table: tableFingerprint, tests: definitions(root, step.tests), sources }));
}

export function readChecks(root: string, table: string): TableChecks | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(checksPath(root, table), 'utf8')) as TableChecks;
    return v.version === 1 ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface CheckStepOptions {
  analysis: FlowAnalysis;
  step: Step;
  executor: SqlExecutor;
  tableFingerprint: string;
  /** Reuse remembered passing results when nothing changed (false right after the step ran). */
  reuse: boolean;
  log: (line: string) => void;
  signal: AbortSignal;
}

export async function checkStep(o: CheckStepOptions): Promise<ChecksOutcome> {
  const { analysis, step } = o;
  const root = analysis.flow.root;
  const fingerprint = testsFingerprint(analysis, step, o.tableFingerprint);
  const known = readChecks(root, step.name);
  if (o.reuse && known?.passed && known.testsFingerprint === fingerprint) return { tests: known.tests, ...(known.profile && { profile: known.profile }), reused: true };
  const own = await o.executor.check(step, o.log, o.signal);
  const tests = [...own.tests];
  for (const table of sourceTablesTested(analysis, step)) tests.push(...(await o.executor.check(table, o.log, o.signal)).tests);
  for (const t of tests) o.log(`test ${t.status === 'pass' ? 'passed' : t.severity === 'warn' ? 'warned' : 'FAILED'}: ${t.table} ${t.name}${t.message ? `: ${t.message}` : ''}`);
  const failed = tests.filter((t) => t.status !== 'pass' && t.severity === 'error');
  const info = analysis.sql.get(step.name);
  const record: TableChecks = {
    version: 1,
    table: step.name,
    testsFingerprint: fingerprint,
    ...(info && { sql: sqlHash(info.text) }),
    passed: failed.length === 0,
    tests,
    ...(own.profile && { profile: own.profile }),
    time: Date.now(),
  };
  writeJsonAtomicSync(checksPath(root, step.name), record);
  const failure = failed.length ? { message: failureMessage(failed, step.name), ...(failed[0]!.location && { location: failed[0]!.location }) } : undefined;
  return { tests, ...(own.profile && { profile: own.profile }), ...(failure && { failure }), reused: false };
}

/** Names each failing test, its column, the failing-row count and a sample row. */
export function failureMessage(failed: TestResult[], step: string): string {
  const head = failed.length === 1 ? 'a data test failed' : `${failed.length} data tests failed`;
  const lines = failed.map((t) => {
    const sample = t.sample?.length ? `; e.g. ${JSON.stringify(t.sample[0])}` : '';
    return `${t.table === step ? '' : `${t.table}: `}${t.name}${t.status === 'error' ? ' could not run' : ''}: ${t.message ?? 'failed'}${sample}`;
  });
  return `${head}: ${lines.join(' | ')}`;
}
