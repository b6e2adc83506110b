// Harness page for compare.test.ts: CompareView over three runs, histories downsampled in the page the way
// the host does it, callbacks recorded on window.fb.
import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import { downsampleAll } from '../../core/runs/series';
import type { MetricPoint } from '../../core/runs/types';
import { CompareView, type CompareRun, type HistoryRequest } from '../../webviews/experiments/compare/compare-view';

const runs: CompareRun[] = [
  { id: 'r1', label: 'run 1', flow: 'train', status: 'succeeded', params: { lr: 0.01, seed: 7, optimizer: 'adam' }, metrics: { auc: 0.8, loss: 0.5 } },
  { id: 'r2', label: 'run 2', flow: 'train', status: 'succeeded', params: { lr: 0.001, seed: 7, optimizer: 'sgd' }, metrics: { auc: 0.84, loss: 0.4 } },
  { id: 'r3', label: 'run 3', flow: 'train', status: 'failed', params: { lr: 0.1, seed: 7, optimizer: 'adam' }, metrics: { auc: 0.7, loss: null } },
];
const history = (r: number): MetricPoint[] => Array.from({ length: 3000 }, (_, i) => ({ index: i, value: 1 / (1 + i * 0.01 * (r + 1)), time: Date.UTC(2026, 0, 1, r) + i * 500 }));
const requests: HistoryRequest[] = [];
const baselines: string[] = [];
const filters: (string | undefined)[] = [];
const exports: { name: string; mime: string; data: string }[] = [];

function App() {
  const [baselineId, setBaseline] = useState<string | undefined>();
  return (
    <CompareView
      runs={runs}
      baselineId={baselineId}
      onBaselineChange={(id) => {
        baselines.push(id);
        setBaseline(id);
      }}
      historyKeys={['loss', 'acc', 'grad_norm', 'val_loss', 'val_acc', 'lr']}
      requestHistories={async (req) => {
        requests.push(req);
        return downsampleAll(req.runIds.map((id) => ({ runId: id, points: history(runs.findIndex((r) => r.id === id)) })), req.key, req.x, req.buckets, req.range);
      }}
      onBrush={(f) => filters.push(f)}
      onExport={(name, mime, data) => exports.push({ name, mime, data: typeof data === 'string' ? data : `${data.length} bytes` })}
    />
  );
}

Object.assign(window, { fb: { requests, baselines, filters, exports } });
const root = document.createElement('div');
document.body.appendChild(root);
createRoot(root).render(<App />);
