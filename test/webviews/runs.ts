// Generated run summaries for the experiments panel's tests and benchmark: `params` params and `metrics`
// metrics per run, spread over two flows, a few still running, values that sort differently per column.
import type { RunSummary } from '../../core/runs/types';

export function generateSummaries(count: number, params = 5, metrics = 5): RunSummary[] {
  const base = Date.UTC(2026, 0, 1);
  const runs: RunSummary[] = [];
  for (let i = 0; i < count; i++) {
    const p: Record<string, unknown> = { learning_rate: [0.001, 0.003, 0.01, 0.03][i % 4], optimizer: i % 3 === 0 ? 'adam' : 'sgd' };
    for (let k = 2; k < params; k++) p[`p${String(k).padStart(3, '0')}`] = (i * 7 + k) % 101;
    const m: Record<string, number> = { auc: 0.5 + ((i * 37) % 500) / 1000, loss: 1 / (1 + (i % 97)) };
    for (let k = 2; k < metrics; k++) m[`m${String(k).padStart(3, '0')}`] = Math.sin(i + k);
    const start = base + i * 60_000;
    const running = i % 500 === 499;
    runs.push({
      id: `${new Date(start).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${(i % 65536).toString(16).padStart(4, '0')}`,
      flow: i % 5 === 0 ? 'evaluate' : 'train',
      flowFile: `/work/${i % 5 === 0 ? 'evaluate' : 'train'}.flow.yaml`,
      status: running ? 'running' : i % 10 === 9 ? 'failed' : 'succeeded',
      start,
      end: running ? undefined : start + 1000 + (i % 13) * 100,
      durationMs: running ? undefined : 1000 + (i % 13) * 100,
      params: p,
      overrides: i % 4 === 0 ? {} : { learning_rate: p.learning_rate },
      metrics: m,
      counts: { ran: 3, cached: 1, restored: 0, failed: 0, skipped: 0, cancelled: 0 },
      code: { commit: 'abcdef1234567890', dirty: i % 2 === 0 },
    });
  }
  return runs;
}
