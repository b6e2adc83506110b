// A flow project on disk with a SQL executor over it, for tests against a real DuckDB file.
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatProblem, hasErrors, loadFlow, type FlowAnalysis } from '../../core/flow/analyze';
import { createSqlExecutor, type SqlExecutor, type SqlStepResult } from '../../core/sql/execute';
import { tempProject, type TempProject } from '../helpers/project';

export const FLOW_FILE = 'demo.flow.yaml';

export interface SqlFixture {
  project: TempProject;
  analysis: FlowAnalysis;
  executor: SqlExecutor;
  /** Every log line of every step, prefixed `step: `. */
  logs: string[];
  run(step: string, signal?: AbortSignal): Promise<SqlStepResult>;
  /** Re-reads the flow and its SQL files (after a test rewrote them) and starts a new executor. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export function sqlFixture(flow: string, files: Record<string, string> = {}, links: Record<string, string> = {}): SqlFixture {
  const project = tempProject({ [FLOW_FILE]: flow, ...files }, links);
  const analyze = () => loadFlow(project.path(FLOW_FILE));
  const open = (analysis: FlowAnalysis) => createSqlExecutor({ flow: analysis.flow, stateDir: project.path('.flowbench') });
  const fixture: SqlFixture = {
    project,
    analysis: analyze(),
    executor: undefined as unknown as SqlExecutor,
    logs: [],
    run(name, signal = new AbortController().signal) {
      const step = fixture.analysis.flow.steps.get(name);
      const sql = fixture.analysis.sql.get(name);
      assert.ok(step && sql, `step ${name} with a readable SQL file`);
      return fixture.executor.run({ step, sql, signal, log: (line) => fixture.logs.push(`${name}: ${line}`) });
    },
    async reload() {
      await fixture.executor.close();
      fixture.analysis = analyze();
      fixture.executor = open(fixture.analysis);
    },
    async close() {
      await fixture.executor.close();
      project.remove();
    },
  };
  fixture.executor = open(fixture.analysis);
  return fixture;
}

/** Flow problems that are errors, formatted; tests that expect a clean flow assert this is empty. */
export function flowErrors(analysis: FlowAnalysis): string[] {
  return hasErrors(analysis.problems) ? analysis.problems.filter((p) => p.severity === 'error').map((p) => formatProblem(p, analysis.flow.root)) : [];
}

/** Runs a query on its own in-memory DuckDB (e.g. over Parquet files) and returns JS rows. */
export function queryFiles(sql: string): Promise<unknown[][]> {
  return queryDatabase(':memory:', {}, sql);
}

/** Queries a warehouse file read-only; the executor that wrote it must be closed first. */
export function queryWarehouse(database: string, sql: string): Promise<unknown[][]> {
  return queryDatabase(database, { access_mode: 'READ_ONLY' }, sql);
}

async function queryDatabase(path: string, options: Record<string, string>, sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(path, options);
  try {
    const conn = await db.connect();
    const rows = await (await conn.run(sql)).getRowsJS();
    conn.closeSync();
    return rows;
  } finally {
    db.closeSync();
  }
}
