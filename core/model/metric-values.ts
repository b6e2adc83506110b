// Metrics next to the previous model's: the delta and whether it moved the right way.
import type { Direction, MetricValue } from './card-types';

const HIGHER = /(^|[._-])(auc|roc_auc|pr_auc|accuracy|acc|precision|recall|f1|f1_score|r2|ap|map|ndcg|mrr|iou|dice|bleu|rouge\w*|improvement)($|[._-])/i;
const LOWER = /(^|[._-])(loss|log_loss|logloss|error|err|mae|mse|rmse|mape|brier|perplexity|ece|latency\w*)($|[._-])/i;

/** Higher is better for scores, lower for losses and errors; `improvement.*` (a gain over a baseline) is higher. */
export function directionOf(name: string): Direction {
  if (/(^|\.)improvement(\.|$)/i.test(name)) return 'higher';
  const last = name.split('.').pop() ?? name;
  if (LOWER.test(last)) return 'lower';
  if (HIGHER.test(last)) return 'higher';
  return 'unknown';
}

export function metricValue(name: string, value: number, previous?: number): MetricValue {
  const direction = directionOf(name);
  const out: MetricValue = { name, value, direction };
  if (previous === undefined || !Number.isFinite(previous)) return out;
  out.previous = previous;
  out.delta = value - previous;
  if (out.delta !== 0 && direction !== 'unknown' && Number.isFinite(out.delta)) out.improved = direction === 'higher' ? out.delta > 0 : out.delta < 0;
  return out;
}

/**
 * The metric a check names: the exact key, else `model.<name>` (an evaluation's model-vs-baseline report),
 * else the one key ending in `.<name>`.
 */
export function findMetric(metrics: Record<string, number>, name: string): { key: string; value: number } | { candidates: string[] } {
  if (name in metrics) return { key: name, value: metrics[name]! };
  if (`model.${name}` in metrics) return { key: `model.${name}`, value: metrics[`model.${name}`]! };
  const ending = Object.keys(metrics).filter((k) => k.endsWith(`.${name}`));
  if (ending.length === 1) return { key: ending[0]!, value: metrics[ending[0]!]! };
  return { candidates: ending.length ? ending : Object.keys(metrics) };
}
