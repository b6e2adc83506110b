// The shapes every part of deploy shares (API.md); the `endpoint` branch owns this file.
export type DeployTarget = 'local' | 'sagemaker';
export type DeploymentStatus = 'starting' | 'running' | 'updating' | 'failed' | 'stopped';
export interface DeploymentRecord {
  name: string; target: DeployTarget; status: DeploymentStatus;
  url?: string;
  flow: string;
  model: string;
  modelSha256: string; runId: string; createdAt: string; updatedAt: string;
  pid?: number; port?: number;
  region?: string; endpointName?: string; endpointArn?: string; endpointConfigName?: string; modelName?: string;
  failureReason?: string;
}
export interface MonitorSeries {
  bucketMs: number; t: number[];
  requests: number[]; errors: number[];
  p50: (number|null)[]; p95: (number|null)[]; p99: (number|null)[];
}
export interface FeatureDrift { feature: string; psi: number; ks: number; drifted: boolean; n: number }

/** One line of `<name>/requests.jsonl`. */
export interface RequestLogLine {
  t: number; ms: number; status: number; rows: number; batch: number;
  inputs: Record<string, number | string | null>;
  prediction: number | null;
  error?: string;
}
