// Generated run summaries for benchmarks: what runs/index.jsonl holds for a sweep and an evaluation flow,
// deterministic (seeded), with the awkward values real stores have: a text param, failed and running runs,
// NaN metrics. Each goes through JSON, so its objects are shaped as the store's index reader makes them.
import type { RunSummary } from '../../core/runs/types';
import { seeded } from '../lsp/mutate';

const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad'];

/** `count` summaries of flows `sweep` and (every fifth) `evaluate`, a minute apart, with `params` params and `metrics` metrics each. */
export function generateSummaries(count: number, shape: { params: number; metrics: number }, seed = 1): RunSummary[] {
  const next = seeded(seed);
  const base = Date.UTC(2026, 0, 1);
  const out: RunSummary[] = [];
  for (let i = 0; i < count; i++) {
    const start = base + i * 60_000;
    const d = new Date(start);
    const id = `${d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${(i & 0xffff).toString(16).padStart(4, '0')}`;
    const params: Record<string, unknown> = { learning_rate: 10 ** -(1 + Math.floor(next() * 4)), optimizer: OPTIMIZERS[i % OPTIMIZERS.length] };
    for (let p = 2; p < shape.params; p++) params[`param_${String(p).padStart(3, '0')}`] = Math.round(next() * 1000) / 1000;
    const metrics: Record<string, number> = {};
    for (let m = 0; m < shape.metrics; m++) metrics[m === 0 ? 'auc' : `metric_${String(m).padStart(3, '0')}`] = i % 997 === 13 && m === 0 ? NaN : next();
    const status = i === count - 1 ? 'running' : i % 10 === 9 ? 'failed' : 'succeeded';
    // Through JSON, as the store's index reader hands summaries over (and as NaN is stored: null).
    out.push(JSON.parse(JSON.stringify({
      id, flow: i % 5 === 0 ? 'evaluate' : 'sweep', flowFile: `/bench/${i % 5 === 0 ? 'evaluate' : 'sweep'}.flow.yaml`, status, start,
      ...(status === 'running' ? {} : { end: start + 30_000, durationMs: 1000 + Math.floor(next() * 60_000) }),
      params, overrides: i % 3 === 0 ? { learning_rate: params.learning_rate } : {}, metrics,
      counts: { ran: 4, cached: 0, restored: 0, failed: status === 'failed' ? 1 : 0, skipped: 0, cancelled: 0 },
      code: { commit: 'abc123def456', dirty: i % 50 === 0 },
    })));
  }
  return out;
}
