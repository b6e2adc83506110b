// The runner's event stream: the one contract the CLI, the extension and the run store all read.
// Events are plain JSON so they can cross a process boundary (the extension may run the CLI
// with `--events` and read them line by line) as well as be delivered in-process.
import type { TableProfile, TestResult } from '../runs/types';

export type StepOutcome =
  | 'succeeded' // ran and produced its declared outputs
  | 'cached' // fingerprint unchanged and outputs present: nothing ran
  | 'restored' // fingerprint seen before: outputs restored from the content-addressed cache
  | 'failed'
  | 'skipped' // an upstream step failed or was cancelled
  | 'cancelled';

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

/** A place in a user file the engine could point at when a step fails. */
export interface SourceLocation {
  file: string;
  line: number; // 1-based, as printed in tracebacks
  column?: number;
}

/** A step that ran as a SageMaker job (core/sagemaker/): what the run record keeps of the job. */
export interface RemoteJob {
  target: 'sagemaker';
  kind: 'training' | 'processing';
  jobName: string;
  jobArn?: string;
  region?: string;
  instanceType: string;
  instanceCount: number;
  spot: boolean;
  /** The job's last known status: InProgress, Completed, Failed, Stopped. */
  status: string;
  trainingSeconds?: number;
  billableSeconds?: number;
  /** From the list prices in core/sagemaker/cost.ts; absent for an instance type it does not know. */
  estimatedCostUsd?: number;
  /** Bytes sent to S3 for this job: 0 when every input was there already. */
  uploadedBytes?: number;
  /** True when this run followed a job an earlier runner started (`flowbench run --attach`). */
  attached?: boolean;
}

export type RunEvent =
  | {
      /**
       * Before run-start: another run holds this folder's state (.flowbench/), and this one waits for it
       * to end. Sent again when the holder changes.
       */
      type: 'run-waiting';
      runId: string;
      holder: { runId: string; pid: number; hostname: string; since: number };
      time: number;
    }
  | {
      type: 'run-start';
      runId: string;
      flow: string;
      flowFile: string;
      /** Steps this run will visit, in a valid execution order. */
      steps: string[];
      /** Every param after overrides, flattened to dotted names. */
      params: Record<string, unknown>;
      /** The `--set` overrides alone. */
      overrides: Record<string, unknown>;
      code: { commit?: string; dirty: boolean };
      pid: number;
      /** Set when the run is a variant of a sweep. */
      sweep?: { name: string; id: string; variant: number; of: number };
      time: number;
    }
  | { type: 'step-start'; runId: string; step: string; attempt: number; fingerprint: string; reasons: string[]; time: number }
  | {
      type: 'step-log';
      runId: string;
      step: string;
      stream: 'stdout' | 'stderr';
      /** One line without its line break, ANSI colours kept. Notes from the engine itself start with `flowbench: `. */
      text: string;
      time: number;
    }
  | {
      type: 'step-end';
      runId: string;
      step: string;
      outcome: StepOutcome;
      durationMs: number;
      attempts: number;
      message?: string;
      location?: SourceLocation;
      /** Final metrics read from the step's `metrics:` files, flattened to dotted names. */
      metrics?: Record<string, number>;
      /** Declared outs after the step, with content hashes (sha256 hex). */
      outputs?: { path: string; hash: string; size: number }[];
      fingerprint?: string;
      /** Data test results and the profile of a SQL step's table (core/runs/types.ts). */
      tests?: TestResult[];
      profile?: TableProfile;
      /** Last change time (ISO) of each Snowflake source table the step read, by `source.table`: what `run --snowflake-at` replays. */
      sourceTimes?: Record<string, string>;
      time: number;
    }
  | {
      /** A step's SageMaker job was created (or found again): sent again with its final figures at the end. */
      type: 'step-remote';
      runId: string;
      step: string;
      job: RemoteJob;
      time: number;
    }
  | {
      type: 'metric';
      runId: string;
      step: string;
      name: string;
      value: number;
      /** The line's `step` field, or the count of earlier points with this name when it has none. */
      index: number;
      time: number;
    }
  | {
      type: 'run-end';
      runId: string;
      status: RunStatus;
      durationMs: number;
      /** Why the run stopped early, e.g. a write under .flowbench/ failed (full disk). */
      message?: string;
      time: number;
    };

export type RunEventListener = (event: RunEvent) => void;
