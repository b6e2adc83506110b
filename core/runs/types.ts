// Shapes of what the run store keeps. A RunRecord is one experiment: everything needed to reproduce
// a run and to explain why two runs differ. A RunSummary is the slice of it that listing needs.
import type { RemoteJob, SourceLocation, StepOutcome } from '../engine/events';

export type RunRecordStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** `pending` and `running` are states a step passes through; `interrupted` is set when the writer died. */
export type StepState = 'pending' | 'running' | StepOutcome | 'interrupted';

export interface StepRecord {
  state: StepState;
  /** True when nothing ran because the outputs were up to date or restored from the cache. */
  cached: boolean;
  attempts: number;
  start?: number;
  end?: number;
  durationMs?: number;
  fingerprint?: string;
  /** Why the step was stale, as the engine explained it at step-start. */
  reasons?: string[];
  message?: string;
  location?: SourceLocation;
  metrics?: Record<string, number>;
  /** Data tests of the step's table (and of the source tables it read), in declaration order. */
  tests?: TestResult[];
  /** Profile of the table the step materialized. */
  profile?: TableProfile;
  /** Last change time (ISO) of each Snowflake source table it read, by `source.table` (replay: `run --snowflake-at`). */
  sourceTimes?: Record<string, string>;
  /** The SageMaker job the step ran as: name, ARN, instance, billed seconds, estimated cost. */
  remote?: RemoteJob;
}

export interface TestResult {
  /** Readable name, e.g. `not_null(delay_minutes)`, `relationships(origin → raw.airports.iata)`. */
  name: string;
  kind: string;
  /** The table tested: the step, or `source.table`. */
  table: string;
  column?: string;
  severity: 'error' | 'warn';
  /** `error`: the test could not run (a missing column, a bad query); counts as a failure. */
  status: 'pass' | 'fail' | 'error';
  /** Failing rows (for unique: rows beyond the first of each value; for row_count: the count itself). */
  failing?: number;
  /** What failed, in words. */
  message?: string;
  /** Up to 5 failing rows. */
  sample?: Record<string, unknown>[];
  /** Where the test is declared in the flow file (1-based line). */
  location?: SourceLocation;
}

export interface ColumnProfile {
  name: string;
  /** DuckDB type, e.g. `INTEGER`, `VARCHAR`, `TIMESTAMP`. */
  type: string;
  nulls: number;
  nullShare: number;
  /** Estimate (HyperLogLog). */
  distinct: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  std?: number;
  /** Most frequent values (strings and booleans); `count` absent where only an estimate of the order is known. */
  top?: { value: string; count?: number }[];
  /** Equal-width bins over [min, max] (numbers). */
  histogram?: { start: number; end: number; count: number }[];
}

export interface TableProfile {
  rows: number;
  columns: ColumnProfile[];
  /** Set when histograms and top values were counted over a sample of this many rows (and scaled to `rows`). */
  distributionSample?: number;
}

export interface MetricPoint {
  index: number;
  value: number;
  time: number;
}

export interface Artifact {
  step: string;
  path: string;
  sha256: string;
  size: number;
}

/** Who is writing a record, so a later process can tell whether the writer is still alive. */
export interface WriterIdentity {
  pid: number;
  hostname: string;
  /** Changes when the machine restarts (Linux boot id). */
  bootId?: string;
  /** Process start time in clock ticks since boot, so a recycled pid is not taken for the writer. */
  pidStart?: string;
}

/** The sweep a run belongs to: its variant `variant` (0-based) of `of`. */
export interface SweepTag {
  name: string;
  id: string;
  variant: number;
  of: number;
}
/** Where a run was recorded: absent means Flowbench's own store; `mlflow` runs are read-only imports. */
export type RunOrigin = 'flowbench' | 'mlflow';

export interface RunRecord {
  version: 1;
  id: string;
  source?: RunOrigin;
  flow: string;
  flowFile: string;
  params: Record<string, unknown>;
  overrides: Record<string, unknown>;
  code: { commit?: string; dirty: boolean };
  start: number;
  end?: number;
  durationMs?: number;
  status: RunRecordStatus;
  /** Why the run stopped early, when it did. */
  message?: string;
  /** In execution order as announced at run-start. */
  steps: Record<string, StepRecord>;
  /** Final metrics: plain names, or `step.name` where two steps report the same name. */
  metrics: Record<string, number>;
  /** Metric histories, keyed like `metrics`. */
  histories: Record<string, MetricPoint[]>;
  artifacts: Artifact[];
  writer: WriterIdentity;
  /** Last time the record was written; the end time given to a run found interrupted. */
  updated: number;
  /** Set when the run is a variant of a sweep (`flowbench sweep`). */
  sweep?: SweepTag;
}

export interface StepCounts {
  ran: number;
  cached: number;
  restored: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

export interface RunSummary {
  id: string;
  source?: RunOrigin;
  flow: string;
  flowFile: string;
  status: RunRecordStatus;
  start: number;
  end?: number;
  durationMs?: number;
  params: Record<string, unknown>;
  overrides: Record<string, unknown>;
  metrics: Record<string, number>;
  counts: StepCounts;
  code: { commit?: string; dirty: boolean };
  /** Only while running: who to ask whether the run is still alive. */
  writer?: WriterIdentity;
  sweep?: SweepTag;
}
