// The flow model: what a *.flow.yaml file says, with a source range for every key and value.
// Parsing never fails: a broken file yields a partial model plus problems, so every feature
// (tree, lint, completion, runner) keeps working on whatever could be understood.

/** Zero-based line and UTF-16 code unit column, the same convention as LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A value from the file together with where it stands. */
export interface Located<T> {
  value: T;
  range: Range;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A text replacement, used by quick fixes. `file` absent means the flow file itself. */
export interface TextEdit {
  file?: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits?: TextEdit[];
  /** Create this file (empty, or with `content`) as part of the fix. */
  createFile?: { path: string; content?: string };
}

export interface Problem {
  /** Stable code such as `FB102`; see docs/diagnostics.md. */
  code: string;
  severity: Severity;
  message: string;
  /** Absolute path of the file the range points into. */
  file: string;
  range: Range;
  fixes?: Fix[];
  related?: { file: string; range: Range; message: string }[];
}

export type StepKind = 'run' | 'sql';

export interface LocalCompute {
  target: 'local';
  range: Range;
}

export interface SageMakerCompute {
  target: 'sagemaker';
  range: Range;
  instanceType?: Located<string>;
  instanceCount?: Located<number>;
  image?: Located<string>;
  role?: Located<string>;
  region?: Located<string>;
  /** `training` (default) or `processing`. */
  job?: Located<'training' | 'processing'>;
  volumeSizeGb?: Located<number>;
  maxRuntimeSeconds?: Located<number>;
  /** S3 prefix for inputs and outputs, e.g. s3://bucket/flowbench. */
  s3Prefix?: Located<string>;
  /** Managed spot training (training jobs only). */
  spot?: Located<boolean>;
  /** With spot: MaxWaitTimeInSeconds, the wait for capacity plus the run. */
  maxWaitSeconds?: Located<number>;
}

export type Compute = LocalCompute | SageMakerCompute;

export interface Step {
  name: string;
  nameRange: Range;
  /** Range of the whole mapping that defines the step. */
  range: Range;
  kind?: StepKind;
  description?: Located<string>;
  /** Command line of a run step, before `${...}` interpolation. */
  run?: Located<string>;
  /** Path of a SQL file, relative to the flow file's folder. */
  sql?: Located<string>;
  materialize?: Located<'table' | 'view'>;
  /** Warehouse profile for a SQL step; defaults to the flow's `warehouse`. */
  warehouse?: Located<string>;
  deps: Located<string>[];
  outs: Located<string>[];
  /** Names of params the step depends on beyond those interpolated in its command. */
  params: Located<string>[];
  metrics: Located<string>[];
  /** Upstream SQL steps whose tables arrive as Parquet files. */
  inputs: Located<string>[];
  /** Upstream steps that must finish first (ordering only). */
  needs: Located<string>[];
  env: Map<string, Located<string>>;
  compute: Compute;
  /** Seconds. */
  timeout?: Located<number>;
  retries?: Located<number>;
  /** Working directory relative to the flow folder; defaults to the flow folder. */
  cwd?: Located<string>;
  /** Data tests run on a SQL step's table after it materializes (`tests:`). */
  tests?: DataTests;
}

export const COLUMN_TEST_KINDS = ['not_null', 'unique', 'accepted_values', 'relationships', 'range', 'matches'] as const;
export const TABLE_TEST_KINDS = ['row_count', 'unique_combination', 'sql', 'freshness'] as const;
export type ColumnTestKind = (typeof COLUMN_TEST_KINDS)[number];
export type TableTestKind = (typeof TABLE_TEST_KINDS)[number];

/** `{ min: 0.9 of staging }`: a bound relative to another table's row count. */
export interface RowBound {
  value: number;
  /** Step or `source.table` whose row count `value` multiplies. */
  of?: Located<string>;
  range: Range;
}

/** One test as written: a name, or a one-key mapping with its arguments and an optional `severity`. */
export interface DataTest {
  kind: ColumnTestKind | TableTestKind;
  /** The column a column test checks. */
  column?: Located<string>;
  severity: 'error' | 'warn';
  /** The whole entry in the list. */
  range: Range;
  kindRange: Range;
  /** accepted_values */
  values?: (string | number | boolean)[];
  /** relationships */
  to?: Located<string>;
  field?: Located<string>;
  /** range (numbers, or strings such as dates) */
  min?: Located<number | string>;
  max?: Located<number | string>;
  /** matches */
  pattern?: Located<string>;
  /** row_count */
  rowsMin?: RowBound;
  rowsMax?: RowBound;
  /** unique_combination */
  columns?: Located<string>[];
  /** sql: a file of a query returning the failing rows */
  file?: Located<string>;
  /** freshness: the newest `column` value is at most this many seconds old */
  maxAgeSeconds?: Located<number>;
}

export interface DataTests {
  range: Range;
  /** In file order; a column test carries its column. */
  tests: DataTest[];
}

export interface SourceTable {
  source: string;
  name: string;
  nameRange: Range;
  path?: Located<string>;
  /** A table in a Snowflake warehouse (`DB.SCHEMA.TABLE` or `SCHEMA.TABLE`), read by Snowflake steps. */
  relation?: Located<string>;
  format?: Located<'csv' | 'parquet' | 'json'>;
  /** Data tests run on the source table before a step reads it, and by `flowbench test`. */
  tests?: DataTests;
}

export interface Source {
  name: string;
  nameRange: Range;
  tables: Map<string, SourceTable>;
}

export interface Param {
  /** Dotted name for nested params, e.g. `train.lr`. */
  name: string;
  value: unknown;
  keyRange: Range;
  valueRange: Range;
}

export interface WarehouseProfile {
  name: string;
  nameRange: Range;
  type: Located<'duckdb' | 'snowflake'>;
  /** DuckDB database file (relative to the flow folder); default .flowbench/warehouse.duckdb. */
  path?: Located<string>;
  account?: Located<string>;
  user?: Located<string>;
  database?: Located<string>;
  schema?: Located<string>;
  warehouse?: Located<string>;
  role?: Located<string>;
  /** Snowflake sign-in method, as written (checked by the validator). */
  authenticator?: Located<string>;
  /** Connection name in connections.toml. */
  connection?: Located<string>;
}

export interface ModelSection {
  range: Range;
  /** The `model` key itself (where its code lens goes). */
  keyRange?: Range;
  path?: Located<string>;
  /** Step that produces the model; derived from outs when absent. */
  step?: Located<string>;
  card: Map<string, Located<unknown>>;
  /** Model inputs from the evaluation data (an out of a step) that perturbation and swap checks run on. */
  sample?: Located<string>;
  /** Behavioural checks evaluated for every model card (docs/flow-format.md, `model.checks`). */
  checks: ModelCheck[];
}

interface ModelCheckBase {
  /** The whole check mapping. */
  range: Range;
  name?: Located<string>;
}

/** `metric: auc, min: 0.65[, slices: origin]`: overall, or on every slice of a slice table. */
export interface MetricThresholdCheck extends ModelCheckBase {
  kind: 'metric';
  metric: Located<string>;
  min?: Located<number>;
  max?: Located<number>;
  slices?: Located<string>;
}

/** `metric: auc, slices: origin, max_gap: 0.1`: best slice minus worst slice at most this. */
export interface SliceGapCheck extends ModelCheckBase {
  kind: 'gap';
  metric: Located<string>;
  slices: Located<string>;
  maxGap: Located<number>;
}

interface ChangeBounds {
  /** Every sample row's prediction moves by at most this. */
  maxChange?: Located<number>;
  /** The mean absolute move over the sample is at least this. */
  minChange?: Located<number>;
  /** Model output compared; the first output when absent. */
  output?: Located<string>;
}

/** `perturb: log_distance, delta: 0.5, max_change: 0.05`: add delta to one numeric input feature. */
export interface PerturbCheck extends ModelCheckBase, ChangeBounds {
  kind: 'perturb';
  feature: Located<string>;
  delta: Located<number>;
}

/** `swap: origin, from: ATL, to: ORD, max_change: 0.1`: rows with one category get another. */
export interface SwapCheck extends ModelCheckBase, ChangeBounds {
  kind: 'swap';
  feature: Located<string>;
  from: Located<string>;
  to: Located<string>;
}

export type ModelCheck = MetricThresholdCheck | SliceGapCheck | PerturbCheck | SwapCheck;

/** One param a sweep varies over an explicit list (`grid:`) or draws from (`random:`). */
export interface SweepAxis {
  param: string;
  keyRange: Range;
  /** `grid`: the values, in order. */
  values?: Located<unknown>[];
  /** `random`: a range `[min, max)`, uniform or (with log) log-uniform. */
  min?: number;
  max?: number;
  log?: boolean;
  /** `random`: draw one of these. */
  choices?: unknown[];
  /** The axis's value in the file. */
  range: Range;
}

/** A named set of param variants (`sweeps:`); variants are the product of `list`, `grid` and `random`. */
export interface Sweep {
  name: string;
  nameRange: Range;
  range: Range;
  description?: Located<string>;
  grid: SweepAxis[];
  random: SweepAxis[];
  count?: Located<number>;
  seed?: Located<number>;
  /** Explicit param sets. */
  list: { range: Range; params: { param: string; keyRange: Range; value: unknown }[] }[];
}

export interface Flow {
  /** Absolute path of the flow file. */
  file: string;
  /** Absolute path of the folder holding the flow file; every relative path resolves against it. */
  root: string;
  name?: Located<string>;
  description?: Located<string>;
  /** Flattened params: nested mappings become dotted names. */
  params: Map<string, Param>;
  warehouse?: Located<string>;
  warehouses: Map<string, WarehouseProfile>;
  sources: Map<string, Source>;
  /** In file order. */
  steps: Map<string, Step>;
  model?: ModelSection;
  /** Named sweeps, in file order. */
  sweeps: Map<string, Sweep>;
}

export interface ParseResult {
  flow: Flow;
  problems: Problem[];
}
