// What Flowbench reads from MLflow, whichever store it came from (mlruns/ folder, mlflow.db, a tracking
// server): one shape, so mapping to run summaries and the readers' tests are shared.
import { Failure } from '../failure';

/** MLflow's run statuses as the SQL store and the REST API spell them (the file store keeps integers). */
export type MlflowStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MlflowRun {
  runId: string;
  experimentId: string;
  /** The experiment's name: the run's `flow` in Flowbench. */
  experiment: string;
  name?: string;
  status: MlflowStatus;
  /** Milliseconds since the epoch. */
  start: number;
  end?: number;
  params: Record<string, string>;
  /** Latest value of each metric (highest step, then latest timestamp), as MLflow shows it. */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

export interface MlflowPoint {
  step: number;
  timestamp: number;
  value: number;
}

/** One tracking location, read-only. Readers never throw for a bad run: they skip it with a note. */
export interface MlflowReader {
  /** The tracking URI as the user would write it (shown as the runs' `flowFile`). */
  readonly uri: string;
  list(): Promise<{ runs: MlflowRun[]; notes: string[] }>;
  /** Every point of one metric, in step order. */
  history(runId: string, key: string): Promise<MlflowPoint[]>;
  /**
   * Just these runs (those it has and lists; the others left out), each with its histories (the metrics
   * logged at more than one point): what the compare view asks for 100 runs at a time. A reader that can
   * look runs up by id has it; the others are listed in full and asked one history at a time. With `key`,
   * only that history (a chart's).
   */
  records?(runIds: readonly string[], key?: string): Promise<{ run: MlflowRun; histories: Record<string, MlflowPoint[]> }[]>;
  /** The metric keys any of these runs logged at more than one point, sorted (without reading the points). */
  historyKeys?(runIds: readonly string[]): Promise<string[]>;
  close?(): void;
}

/** A tracking location that cannot be read at all (unreachable, unauthorised, not an MLflow store). */
export class MlflowError extends Failure {
  constructor(message: string, remedy?: string) {
    super(message, remedy);
    this.name = 'MlflowError';
  }
}

export const STATUS_BY_NUMBER: Record<number, MlflowStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };
export const NUMBER_BY_STATUS: Record<MlflowStatus, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };

export function isStatus(value: unknown): value is MlflowStatus {
  return typeof value === 'string' && value in NUMBER_BY_STATUS;
}

/**
 * The value MLflow reports as a metric's latest: highest step, then latest timestamp, then the larger value
 * (the SQL store's latest_metrics rule), so every reader agrees.
 */
export function isLater(a: MlflowPoint, b: MlflowPoint | undefined): boolean {
  if (!b) return true;
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** Tags Flowbench writes when it exports a run, and reads back to recognise it. */
export const TAG = {
  runId: 'flowbench.run_id',
  flow: 'flowbench.flow',
  flowFile: 'flowbench.flow_file',
  code: 'flowbench.code_version',
  dirty: 'flowbench.code_dirty',
  status: 'flowbench.status',
  gitCommit: 'mlflow.source.git.commit',
  runName: 'mlflow.runName',
  // A child run of MLflow's nested runs (a hyperparameter search's trials under one parent run).
  parentRunId: 'mlflow.parentRunId',
} as const;

/** Python's float spellings MLflow writes for values JSON cannot hold. */
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity };

/** A number as MLflow spells it in files and JSON (`nan`, `inf`, `"NaN"`, `"Infinity"` included). */
export function parseNumber(text: string): number | undefined {
  const n = Number(text);
  // Number('') and Number(' ') are 0: blank is no number.
  if (n === n) return /\S/.test(text) ? n : undefined;
  return SPECIAL[text.toLowerCase()];
}
