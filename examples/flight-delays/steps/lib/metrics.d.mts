// Types for metrics.mjs (the TypeScript tests import it).
export interface Summary {
  rows: number;
  positive_rate: number;
  mean_prediction: number;
  log_loss: number;
  auc: number;
  accuracy: number;
  precision: number;
  recall: number;
}
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>): number;
export function auc(labels: ArrayLike<number>, probs: ArrayLike<number>): number;
export function thresholdMetrics(labels: ArrayLike<number>, probs: ArrayLike<number>, threshold: number): { accuracy: number; precision: number; recall: number };
export function summarize(labels: ArrayLike<number>, probs: ArrayLike<number>, threshold: number): Summary;
