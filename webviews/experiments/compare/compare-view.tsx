// The compare view for the runs selected in the experiments table: params and metrics side by side with
// deltas from a baseline run, metric history charts, parallel coordinates with brushing, a param-vs-metric
// scatter. Presentational: the app wires it to the host (histories come through `requestHistories`).
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { SeriesBuckets, XAxis } from '../../../core/runs/series';
import { HistoryChart, ParallelCoordinates, ScatterChart, brushFilter, toCsv, type ExportHandler } from '../../charts';
import { fromWire, nonFiniteText } from '../format';
import type { WireCell } from '../contract';
import type { Cell, CompareRun, HistoryRequest } from './types';
import './compare.css';

export type { Cell, CompareRun, HistoryRequest };
export interface CompareViewProps {
  runs: CompareRun[];
  baselineId?: string;
  onBaselineChange(id: string): void;
  /** Metric keys that have histories in these runs. */
  historyKeys: string[];
  requestHistories(req: HistoryRequest): Promise<SeriesBuckets[]>;
  /** Parallel-coordinates brush as a filter expression the table ANDs with its own. */
  onBrush(filter: string | undefined): void;
  /** Saves an export (CSV of the table, PNG/SVG of a chart); without it, no export buttons. */
  onExport?: ExportHandler;
}

interface Row {
  key: string;
  group: 'param' | 'metric';
  cells: Cell[];
  differs: boolean;
}

// NaN and ±Infinity read as the runs table shows them ("NaN", "∞", "-∞"); the dash is for a missing value only.
const fmt = (v: Cell | undefined): string =>
  v === null || v === undefined ? '—' : typeof v === 'number' ? (nonFiniteText(v) ?? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))))) : String(v);
/** Equal cells have equal keys; JSON alone would make NaN and ±Infinity equal to a missing value. */
const sameKey = (v: Cell): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v));
/** What a chart can place: non-finite numbers are left out, as missing values are. */
const plottable = (v: Cell): Cell => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

// Lower is better for these metric names; higher for the rest. Only colours depend on it, never values.
const LOWER_IS_BETTER = /(loss|err|error|mse|rmse|mae|mape|perplexity|latency|duration|time)$/i;

function rowsOf(runs: readonly CompareRun[]): Row[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.params)) params.add(k);
    for (const k of Object.keys(r.metrics)) metrics.add(k);
  }
  const make = (group: Row['group'], keys: Set<string>, get: (r: CompareRun, k: string) => WireCell | undefined): Row[] =>
    [...keys].sort().map((k) => {
      const cells = runs.map((r) => fromWire(get(r, k) ?? null));
      const first = sameKey(cells[0]!);
      return { key: `${group === 'param' ? 'params' : 'metrics'}.${k}`, group, cells, differs: cells.some((c) => sameKey(c) !== first) };
    });
  return [...make('param', params, (r, k) => r.params[k]), ...make('metric', metrics, (r, k) => r.metrics[k])];
}

function Delta(props: { value: Cell; base: Cell; metricKey?: string }) {
  const { value, base } = props;
  if (typeof value !== 'number' || typeof base !== 'number' || Object.is(value, base)) return null;
  const abs = value - base;
  // NaN on either side (or ∞ − ∞): the difference is NaN, said as the table says it, with no direction.
  if (Number.isNaN(abs)) {
    return (
      <span className="fb-delta">
        <span aria-hidden="true">NaN</span>
        <span className="fb-sr-only">not a number from the baseline</span>
      </span>
    );
  }
  const pct = base !== 0 && Number.isFinite(abs) ? (abs / Math.abs(base)) * 100 : undefined;
  const up = abs > 0;
  const tone = props.metricKey ? (up !== LOWER_IS_BETTER.test(props.metricKey) ? 'better' : 'worse') : up ? 'up' : 'down';
  const text = `${up ? '+' : '−'}${fmt(Math.abs(abs))}${pct !== undefined ? ` (${up ? '+' : '−'}${fmt(Math.abs(Number(pct.toFixed(1))))}%)` : ''}`;
  const spoken = `${up ? 'up' : 'down'} ${fmt(Math.abs(abs))}${pct !== undefined ? `, ${fmt(Math.abs(Number(pct.toFixed(1))))} percent` : ''} from the baseline${props.metricKey ? (tone === 'better' ? ', better' : ', worse') : ''}`;
  return (
    <span className={`fb-delta fb-delta-${tone}`}>
      <span aria-hidden="true">
        <span className="fb-delta-mark">{up ? '▲' : '▼'}</span> {text}
      </span>
      <span className="fb-sr-only">{spoken}</span>
    </span>
  );
}

export function CompareView(props: CompareViewProps) {
  const { runs } = props;
  const id = useId();
  const [diffOnly, setDiffOnly] = useState(false);
  const rows = useMemo(() => rowsOf(runs), [runs]);
  const baselineIndex = Math.max(0, runs.findIndex((r) => r.id === props.baselineId));
  const shown = diffOnly ? rows.filter((r) => r.differs) : rows;
  const paramKeys = rows.filter((r) => r.group === 'param').map((r) => r.key);
  const metricKeys = rows.filter((r) => r.group === 'metric').map((r) => r.key);

  const exportCsv = () =>
    props.onExport?.(
      'compare.csv',
      'text/csv',
      toCsv(['key', ...runs.map((r) => r.label)], [['id', ...runs.map((r) => r.id)], ['flow', ...runs.map((r) => r.flow)], ['status', ...runs.map((r) => r.status)], ...shown.map((r) => [r.key, ...r.cells])]),
    );

  if (runs.length === 0) return <p className="fb-compare-empty">Select runs in the table to compare them.</p>;
  return (
    <div className="fb-compare">
      <div className="fb-compare-toolbar" role="toolbar" aria-label="Comparison">
        <label>
          <input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly(e.target.checked)} /> Differences only
        </label>
        <label htmlFor={`${id}-baseline`}>Baseline</label>
        <select id={`${id}-baseline`} value={runs[baselineIndex].id} onChange={(e) => props.onBaselineChange(e.target.value)}>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        {props.onExport && (
          <button type="button" className="fb-chart-button" onClick={exportCsv}>
            Export comparison CSV
          </button>
        )}
      </div>
      <div className="fb-compare-scroll">
        <table className="fb-compare-table">
          <caption>
            {runs.length} runs, {shown.length} of {rows.length} params and metrics{diffOnly ? ' (differences only)' : ''}; deltas from {runs[baselineIndex].label}
          </caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              {runs.map((r, i) => (
                <th scope="col" key={r.id} className={i === baselineIndex ? 'fb-baseline' : undefined}>
                  <span className="fb-run-label">{r.label}</span>
                  <span className="fb-run-meta">
                    {r.flow} · {r.status}
                    {i === baselineIndex ? ' · baseline' : ''}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.key} className={row.differs ? 'fb-differs' : undefined}>
                <th scope="row">{row.key}</th>
                {row.cells.map((c, i) => (
                  <td key={runs[i].id}>
                    <span className="fb-value">{fmt(c)}</span>
                    {i !== baselineIndex && <Delta value={c} base={row.cells[baselineIndex]} metricKey={row.group === 'metric' ? row.key : undefined} />}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {shown.length === 0 && <p className="fb-compare-empty">These runs have the same params and metrics.</p>}
      </div>
      <Histories {...props} paramKeys={paramKeys} />
      <Relations runs={runs} paramKeys={paramKeys} metricKeys={metricKeys} rows={rows} onBrush={props.onBrush} onExport={props.onExport} />
    </div>
  );
}

function Histories(props: CompareViewProps & { paramKeys: string[] }) {
  const id = useId();
  const [x, setX] = useState<XAxis>('step');
  const [log, setLog] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [groupBy, setGroupBy] = useState('');
  const byId = useMemo(() => new Map(props.runs.map((r) => [r.id, r])), [props.runs]);
  const labels = useMemo(() => Object.fromEntries(props.runs.map((r) => [r.id, r.label])), [props.runs]);
  const groupOf = useMemo(() => {
    if (!groupBy) return undefined;
    const name = groupBy.slice('params.'.length);
    return (runId: string) => `${name}=${fmt(fromWire(byId.get(runId)?.params[name] ?? null))}`;
  }, [groupBy, byId]);
  if (props.historyKeys.length === 0) return null;
  return (
    <section className="fb-compare-section" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Metric histories</h2>
      <div className="fb-compare-toolbar" role="toolbar" aria-label="History charts">
        <label htmlFor={`${id}-x`}>X axis</label>
        <select id={`${id}-x`} value={x} onChange={(e) => setX(e.target.value as XAxis)}>
          <option value="step">Step</option>
          <option value="time">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
        <label htmlFor={`${id}-smooth`}>Smoothing</label>
        <input id={`${id}-smooth`} type="range" min={0} max={0.99} step={0.01} value={smoothing} aria-valuetext={smoothing === 0 ? 'off' : `EMA weight ${smoothing}`} onChange={(e) => setSmoothing(Number(e.target.value))} />
        <output htmlFor={`${id}-smooth`}>{smoothing === 0 ? 'off' : smoothing.toFixed(2)}</output>
        <label htmlFor={`${id}-group`}>Group by</label>
        <select id={`${id}-group`} value={groupBy} onChange={(e) => setGroupBy(e.target.value)}>
          <option value="">(none)</option>
          {props.paramKeys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      {props.historyKeys.map((key) => (
        <HistoryPanel key={key} metric={key} runIds={props.runs.map((r) => r.id)} x={x} log={log} smoothing={smoothing} groupOf={groupOf} labels={labels} requestHistories={props.requestHistories} onExport={props.onExport} />
      ))}
    </section>
  );
}

/** One metric's chart: asks for buckets on mount, when the runs or x axis change, and for each zoom range. */
function HistoryPanel(props: {
  metric: string;
  runIds: string[];
  x: XAxis;
  log: boolean;
  smoothing: number;
  groupOf?: (runId: string) => string;
  labels: Record<string, string>;
  requestHistories: CompareViewProps['requestHistories'];
  onExport?: ExportHandler;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ series: SeriesBuckets[]; range?: [number, number]; error?: string; loading: boolean }>({ series: [], loading: true });
  const ask = useRef(0);
  const runKey = props.runIds.join('\n');
  const request = useCallback(
    (range?: [number, number]) => {
      const seq = ++ask.current;
      // One bucket per pixel or so (W&B keeps 1,000), rounded so small resizes do not ask again.
      const buckets = Math.max(100, Math.ceil((box.current?.clientWidth ?? 1000) / 100) * 100);
      setState((s) => ({ ...s, loading: true }));
      props.requestHistories({ runIds: props.runIds, key: props.metric, x: props.x, buckets, ...(range ? { range } : {}) }).then(
        (series) => seq === ask.current && setState({ series, range, loading: false }),
        (err: unknown) => seq === ask.current && setState((s) => ({ ...s, loading: false, error: err instanceof Error ? err.message : String(err) })),
      );
    },
    [runKey, props.metric, props.x, props.requestHistories],
  );
  // Charts below the fold ask for nothing until they come near the viewport: fifty metrics do not cost
  // fifty requests and fifty uPlot instances up front.
  const [near, setNear] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el || near) return;
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), { rootMargin: '300px' });
    seen.observe(el);
    return () => seen.disconnect();
  }, [near]);
  useEffect(() => {
    if (near) request();
  }, [near, request]);
  return (
    <div ref={box} className="fb-history" aria-busy={state.loading}>
      {state.error ? (
        <p role="alert" className="fb-compare-error">
          {props.metric}: could not load histories ({state.error}).
        </p>
      ) : (
        <HistoryChart title={props.metric} series={state.series} labels={props.labels} x={props.x} log={props.log} smoothing={props.smoothing} groupOf={props.groupOf} range={state.range} onRangeChange={request} onExport={props.onExport} />
      )}
    </div>
  );
}

const MAX_AXES = 8;

function Relations(props: { runs: CompareRun[]; paramKeys: string[]; metricKeys: string[]; rows: Row[]; onBrush(filter: string | undefined): void; onExport?: ExportHandler }) {
  const id = useId();
  const differing = props.rows.filter((r) => r.group === 'param' && r.differs).map((r) => r.key);
  const [chosen, setChosen] = useState<string[] | undefined>();
  // By default the params that differ, at most MAX_AXES of them (1,000 axes would draw nothing readable).
  const axesParams = (chosen ?? (differing.length ? differing : props.paramKeys).slice(0, MAX_AXES)).filter((k) => props.paramKeys.includes(k));
  const [metric, setMetric] = useState<string | undefined>();
  const target = metric && props.metricKeys.includes(metric) ? metric : props.metricKeys[0];
  const [scatterParam, setScatterParam] = useState<string | undefined>();
  const sx = scatterParam && props.paramKeys.includes(scatterParam) ? scatterParam : axesParams[0] ?? props.paramKeys[0];
  const cell = (r: CompareRun, key: string): Cell => plottable(fromWire((key.startsWith('params.') ? r.params[key.slice(7)] : r.metrics[key.slice(8)]) ?? null));
  const axes = useMemo(() => [...axesParams, ...(target ? [target] : [])].map((key) => ({ key })), [axesParams.join('\n'), target]);
  const rows = useMemo(() => props.runs.map((r) => ({ id: r.id, values: axes.map((a) => cell(r, a.key)) })), [props.runs, axes]);
  const points = useMemo(() => (sx && target ? props.runs.map((r) => ({ id: r.id, x: cell(r, sx), y: cell(r, target) as number | null })) : []), [props.runs, sx, target]);
  if (!target || props.paramKeys.length === 0) return null;
  const toggle = (key: string, on: boolean) => setChosen((axesParams.includes(key) ? axesParams : [...axesParams]).filter((k) => k !== key).concat(on ? [key] : []).sort());
  return (
    <section className="fb-compare-section" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Params and {target}</h2>
      <div className="fb-compare-toolbar" role="toolbar" aria-label="Parallel coordinates">
        <fieldset className="fb-compare-params">
          <legend>Params on the axes</legend>
          {props.paramKeys.map((k) => (
            <label key={k}>
              <input type="checkbox" checked={axesParams.includes(k)} onChange={(e) => toggle(k, e.target.checked)} /> {k}
            </label>
          ))}
        </fieldset>
        <label htmlFor={`${id}-metric`}>Metric</label>
        <select id={`${id}-metric`} value={target} onChange={(e) => setMetric(e.target.value)}>
          {props.metricKeys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      {axes.length > 1 && <ParallelCoordinates title={`Params → ${target}`} axes={axes} rows={rows} onBrush={(b) => props.onBrush(brushFilter(b))} onExport={props.onExport} />}
      <div className="fb-compare-toolbar">
        <label htmlFor={`${id}-sx`}>Scatter of</label>
        <select id={`${id}-sx`} value={sx} onChange={(e) => setScatterParam(e.target.value)}>
          {props.paramKeys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      {sx && <ScatterChart xLabel={sx} yLabel={target} points={points} onExport={props.onExport} />}
    </section>
  );
}
