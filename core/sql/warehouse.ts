// What a SQL step needs from a warehouse, whichever engine it is. The step's SQL arrives rendered;
// mapping errors back to the SQL file is the caller's job (see execute.ts).
import type { SourceTable } from '../flow/model';
import type { CheckOutcome, CheckRequest } from './data-tests';

export interface SqlStepResult {
  /** The relation the step created, quoted, e.g. `"main"."features"`. */
  relation: string;
  kind: 'table' | 'view';
  rows?: number;
  /** Absolute path of the Parquet export of a table: the step's out. */
  parquet?: string;
}

export interface WarehouseRun {
  step: string;
  materialize: 'table' | 'view';
  /** Rendered SQL of the step: one query. */
  sql: string;
  /** Source tables the SQL reads through `source()`. */
  sources: SourceTable[];
  log: (line: string) => void;
  signal: AbortSignal;
}

/** The first rows a step's query returns, for the preview; values are JSON (numbers, strings, booleans, null). */
export interface PreviewRows {
  columns: string[];
  rows: unknown[][];
}

/** A preview reads the query's first rows without creating anything. */
export type PreviewRun = Omit<WarehouseRun, 'materialize'> & { limit: number };

export interface Warehouse {
  /** What `ref(step)` renders to. */
  relation(step: string): string;
  /** What `source(source, table)` renders to. */
  sourceRelation(source: string, table: string): string;
  run(run: WarehouseRun): Promise<SqlStepResult>;
  restore(step: string, parquet: string): Promise<void>;
  preview(run: PreviewRun): Promise<PreviewRows>;
  /** Runs data tests and the profile of a relation (see data-tests.ts); `sources` are the source views the checks read. */
  check(req: CheckRequest, sources: SourceTable[], log: (line: string) => void, signal: AbortSignal): Promise<CheckOutcome>;
  close(): Promise<void>;
}
