// The shapes every part of deploy shares (CLI, local endpoint, SageMaker, the extension's views and monitor):
// the contract between them, so each may change its own side without the others noticing.
import type { WriterIdentity } from '../runs/types';

export type DeployTarget = 'local' | 'sagemaker';
export type DeploymentStatus = 'starting' | 'running' | 'updating' | 'failed' | 'stopped';
export interface DeploymentRecord {
  name: string; target: DeployTarget; status: DeploymentStatus;
  url?: string;               // local: http://127.0.0.1:<port>; sagemaker: the runtime invocation URL
  flow: string;               // flow file, relative to the project
  model: string;              // model path relative to the project (the flow's model.path)
  modelSha256: string; runId: string; createdAt: string; updatedAt: string;
  pid?: number; port?: number; // local
  /** local: the served process's identity, so a reused pid is not mistaken for a live endpoint */
  writer?: WriterIdentity;
  region?: string; endpointName?: string; endpointArn?: string; endpointConfigName?: string; modelName?: string;
  failureReason?: string;
  /** sagemaker: the named AWS profile the deploy used (a name, never a credential) */
  awsProfile?: string;
  /** sagemaker: a user-given serving image; absent = SageMaker's Triton image */
  image?: string;
  /** sagemaker: set for a serverless endpoint (its payload limit is lower than a real-time one's) */
  serverless?: { memorySizeInMB: number; maxConcurrency: number };
}
// Time series of one endpoint for the monitor panel, one point per bucket (bucketMs wide):
export interface MonitorSeries {
  bucketMs: number; t: number[];           // bucket start times (ms since epoch)
  requests: number[]; errors: number[];    // counts per bucket (errors = 4xx + 5xx)
  p50: (number|null)[]; p95: (number|null)[]; p99: (number|null)[]; // latency ms
}
export interface FeatureDrift { feature: string; psi: number; ks: number; drifted: boolean; n: number }

/** One line of `<name>/requests.jsonl`. */
export interface RequestLogLine {
  t: number; ms: number; status: number; rows: number; batch: number;
  inputs: Record<string, number | string | null>;
  prediction: number | null;
  error?: string;
}
