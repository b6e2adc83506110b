// Harness page for charts.test.ts: the three charts on generated data, driven through window.fb.
import { createRoot } from 'react-dom/client';
import { createRef, useState } from 'react';
import { downsampleAll, type SeriesBuckets } from '../../core/runs/series';
import type { MetricPoint } from '../../core/runs/types';
import { HistoryChart, ParallelCoordinates, ScatterChart, brushFilter, type ChartHandle, type ParallelHandle } from '../../webviews/charts';

const RUNS = 5;
const histories = Array.from({ length: RUNS }, (_, r) => ({
  runId: `run-${r}`,
  points: Array.from({ length: 2000 }, (_, i): MetricPoint => ({ index: i, value: 1 / (1 + i * (r + 1) * 0.01) + 0.05 * Math.sin(i * 1.7 + r), time: Date.UTC(2026, 0, 1) + i * 1000 })),
}));
const lr = [0.0001, 0.001, 0.003, 0.01, 0.1];
const optimizer = ['adam', 'sgd', 'adam', 'sgd', 'adam'];

interface State {
  log: boolean;
  smoothing: number;
  grouped: boolean;
  series: SeriesBuckets[];
  range?: [number, number];
}

const history = createRef<ChartHandle>();
const scatter = createRef<ChartHandle>();
const parallel = createRef<ParallelHandle>();
const ranges: ([number, number] | undefined)[] = [];
const filters: (string | undefined)[] = [];
const exports: { name: string; mime: string; size: number }[] = [];
let set: (f: (s: State) => State) => void = () => undefined;
const groupOf = (id: string) => optimizer[Number(id.split('-')[1])];

function App() {
  const [state, setState] = useState<State>({ log: false, smoothing: 0, grouped: false, series: downsampleAll(histories, 'loss', 'step', 200) });
  set = setState;
  return (
    <div style={{ width: 900 }}>
      <HistoryChart
        ref={history}
        title="loss"
        series={state.series}
        x="step"
        log={state.log}
        smoothing={state.smoothing}
        groupOf={state.grouped ? groupOf : undefined}
        range={state.range}
        onRangeChange={(r) => {
          ranges.push(r);
          setState((s) => ({ ...s, range: r, series: downsampleAll(histories, 'loss', 'step', 200, r) }));
        }}
        onExport={(name, mime, data) => exports.push({ name, mime, size: data.length })}
      />
      <ScatterChart ref={scatter} xLabel="params.lr" yLabel="metrics.auc" points={lr.map((x, i) => ({ id: `run-${i}`, x, y: 0.7 + i * 0.05 }))} />
      <ParallelCoordinates
        ref={parallel}
        title="params → metrics.auc"
        axes={[{ key: 'params.lr' }, { key: 'params.optimizer' }, { key: 'metrics.auc' }]}
        rows={lr.map((x, i) => ({ id: `run-${i}`, values: [x, optimizer[i], 0.7 + i * 0.05] }))}
        onBrush={(b) => filters.push(brushFilter(b))}
      />
    </div>
  );
}

const bytesB64 = (b: Uint8Array) => {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return btoa(s);
};
Object.assign(window, {
  fb: {
    history,
    scatter,
    parallel,
    ranges,
    filters,
    exports,
    update: (patch: Partial<State>) => set((s) => ({ ...s, ...patch })),
    png: async (which: 'history' | 'scatter' | 'parallel') => bytesB64(which === 'parallel' ? parallel.current!.png() : await (which === 'history' ? history : scatter).current!.png()),
    svg: (which: 'history' | 'scatter' | 'parallel') => (which === 'parallel' ? parallel.current!.svg() : (which === 'history' ? history : scatter).current!.svg()),
  },
});
const root = document.createElement('div');
document.body.appendChild(root);
createRoot(root).render(<App />);
