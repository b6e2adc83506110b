// Metric histories of many runs overlaid on one uPlot chart (no cap on runs), or, grouped, each group's mean
// with its min/max band. The buckets come from core/runs/series.ts in the host; zooming or panning asks for
// new buckets of the visible range through `onRangeChange`.
import type uPlot from 'uplot';
import { forwardRef, useCallback, useEffect, useId, useImperativeHandle, useMemo, useRef, type KeyboardEvent } from 'react';
import { ema, groupSeries, type SeriesBuckets, type XAxis } from '../../core/runs/series';
import { fileName, uplotPng, uplotSvg, type ExportHandler } from './export';
import { ExportButtons } from './export-buttons';
import { colorAt, fillAt, useChartTheme, type ChartTheme } from './theme';
import { axisStyle, useUplot } from './uplot';

export interface HistoryChartProps {
  /** The metric key; also the chart's accessible name. */
  title: string;
  series: readonly SeriesBuckets[];
  /** Run id → legend label. */
  labels?: Readonly<Record<string, string>>;
  x: XAxis;
  log?: boolean;
  /** EMA weight in [0, 1); 0 draws the values as they are. */
  smoothing?: number;
  /** Group runs (by a param's value, say): draws each group's mean and min/max band instead of the runs. */
  groupOf?: (runId: string) => string;
  /** The x range `series` were downsampled over; undefined when they cover everything. */
  range?: [number, number];
  /** The visible x range changed by zoom or pan (undefined: back to everything). */
  onRangeChange?(range: [number, number] | undefined): void;
  height?: number;
  onExport?: ExportHandler;
}

export interface ChartHandle {
  png(): Promise<Uint8Array>;
  svg(): string;
  readonly plot: uPlot | undefined;
}

interface Built {
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  bands: uPlot.Band[];
  /** Values not drawn because the log scale cannot show them. */
  hidden: number;
}

const X_LABEL: Record<XAxis, string> = { step: 'step', time: 'time', relative: 'seconds since start' };

/** Joins the runs' x positions into one ascending array (they share a grid, so this stays ~bucket count). */
function joinX(series: readonly { x: readonly number[] }[]): { xs: number[]; index: Map<number, number> } {
  const all = new Set<number>();
  for (const s of series) for (const v of s.x) all.add(v);
  const xs = [...all].sort((a, b) => a - b);
  return { xs, index: new Map(xs.map((v, i) => [v, i])) };
}

function build(props: HistoryChartProps, theme: ChartTheme): Built {
  const weight = props.smoothing ?? 0;
  const smoothed = props.series.map((s) => (weight > 0 ? { ...s, last: ema(s.last, weight) } : s));
  let hidden = 0;
  const place = (xs: number[], index: Map<number, number>, x: readonly number[], v: readonly number[]) => {
    const out: (number | null)[] = new Array(xs.length).fill(null);
    for (let i = 0; i < x.length; i++) {
      const y = v[i];
      if (props.log && !(y > 0)) {
        hidden++;
        continue;
      }
      out[index.get(x[i])!] = Number.isFinite(y) ? y : null;
    }
    return out;
  };
  if (props.groupOf) {
    const groups = groupSeries(smoothed, props.groupOf);
    const { xs, index } = joinX(groups);
    const data: (number | null)[][] = [];
    const series: uPlot.Series[] = [];
    const bands: uPlot.Band[] = [];
    groups.forEach((g, k) => {
      const base = series.length + 1;
      series.push(
        { label: `${g.group} (${g.runIds.length} runs)`, stroke: colorAt(theme, k), width: 2, spanGaps: true, points: { show: false } },
        { label: `${g.group} min`, stroke: fillAt(theme, k), width: 1, spanGaps: true, points: { show: false } },
        { label: `${g.group} max`, stroke: fillAt(theme, k), width: 1, spanGaps: true, points: { show: false } },
      );
      data.push(place(xs, index, g.x, g.mean), place(xs, index, g.x, g.min), place(xs, index, g.x, g.max));
      bands.push({ series: [base + 2, base + 1], fill: fillAt(theme, k) });
    });
    return { data: [xs, ...data] as uPlot.AlignedData, series, bands, hidden };
  }
  const { xs, index } = joinX(smoothed);
  const data = smoothed.map((s) => place(xs, index, s.x, s.last));
  const series = smoothed.map((s, i) => ({ label: props.labels?.[s.runId] ?? s.runId, stroke: colorAt(theme, i), width: 1, spanGaps: true, points: { show: false } }));
  return { data: [xs, ...data] as uPlot.AlignedData, series, bands: [], hidden };
}

export const HistoryChart = forwardRef<ChartHandle, HistoryChartProps>(function HistoryChart(props, ref) {
  const theme = useChartTheme();
  const el = useRef<HTMLDivElement>(null);
  const built = useMemo(() => build(props, theme), [props.series, props.smoothing, props.log, props.groupOf, props.labels, theme]);
  const height = props.height ?? 260;
  // Latest props for uPlot's hooks, which are bound once per instance.
  const live = useRef(props);
  live.current = props;
  const applying = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  const emitRange = useCallback((u: uPlot) => {
    const { min, max } = u.scales.x;
    clearTimeout(timer.current);
    if (applying.current || min === undefined || max === undefined || min === null || max === null) return;
    const r = live.current.range;
    if (r && r[0] === min && r[1] === max) return;
    // Fitting the whole data is uPlot's own doing (creation, a reset), not a zoom.
    const xs = u.data[0];
    if (!r && xs.length && min === xs[0] && max === xs[xs.length - 1]) return;
    // Buckets are asked for once the user pauses, not on every frame of a pan.
    timer.current = setTimeout(() => live.current.onRangeChange?.([min, max]), 120);
  }, []);

  const structure = [built.series.map((s) => s.label).join('\n'), props.groupOf !== undefined, props.log, props.x, theme, height];
  const plot = useUplot(
    el,
    structure,
    (width) => ({
      width,
      height,
      scales: { x: { time: props.x === 'time' }, y: props.log ? { distr: 3, log: 10 } : {} },
      axes: [axisStyle(theme), axisStyle(theme, { size: 60 })],
      series: [{ label: X_LABEL[props.x] }, ...built.series],
      bands: built.bands,
      legend: { show: true, live: true },
      cursor: {
        drag: { x: true, y: false, setScale: true },
        bind: {
          dblclick: (_u, _t, handler) => (e) => {
            if (live.current.range) live.current.onRangeChange?.(undefined);
            else handler(e);
            return null;
          },
        },
      },
      hooks: { setScale: [(u, key) => key === 'x' && emitRange(u)] },
    }),
    built.data,
    props.range !== undefined,
    (u) => {
      applying.current = true;
      try {
        if (props.range) u.setScale('x', { min: props.range[0], max: props.range[1] });
      } finally {
        applying.current = false;
      }
    },
  );

  const setX = (min: number, max: number) => plot.current?.setScale('x', { min, max });
  const onKeyDown = (e: KeyboardEvent) => {
    const u = plot.current;
    const { min, max } = u?.scales.x ?? {};
    if (!u || min == null || max == null) return;
    const span = max - min;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') setX(min + (e.key === 'ArrowLeft' ? -0.1 : 0.1) * span, max + (e.key === 'ArrowLeft' ? -0.1 : 0.1) * span);
    else if (e.key === '+' || e.key === '=') setX(min + span * 0.2, max - span * 0.2);
    else if (e.key === '-') setX(min - span * 0.25, max + span * 0.25);
    else if (e.key === '0' || e.key === 'Home') {
      if (live.current.range) live.current.onRangeChange?.(undefined);
    } else return;
    e.preventDefault();
  };
  // Ctrl+wheel zooms around the cursor, Shift+wheel pans. A native listener, because React's wheel handler is
  // passive and could not stop the page (or the webview) from zooming as well.
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const onWheel = (e: WheelEvent) => {
      const u = plot.current;
      const { min, max } = u?.scales.x ?? {};
      if (!u || min == null || max == null || !(e.ctrlKey || e.shiftKey)) return;
      e.preventDefault();
      const span = max - min;
      const delta = e.deltaY || e.deltaX;
      if (e.shiftKey) u.setScale('x', { min: min + Math.sign(delta) * 0.1 * span, max: max + Math.sign(delta) * 0.1 * span });
      else {
        const at = u.posToVal(u.cursor.left != null && u.cursor.left >= 0 ? u.cursor.left : u.bbox.width / 2 / devicePixelRatio, 'x');
        const f = delta > 0 ? 1.25 : 0.8;
        u.setScale('x', { min: at - (at - min) * f, max: at + (max - at) * f });
      }
    };
    node.addEventListener('wheel', onWheel, { passive: false });
    return () => node.removeEventListener('wheel', onWheel);
  }, []);

  const bands = built.bands.map((b) => ({ upper: b.series[0], lower: b.series[1], fill: String(b.fill) }));
  useImperativeHandle(ref, () => ({
    png: () => uplotPng(plot.current!, theme, props.title),
    svg: () => uplotSvg(plot.current!, theme, props.title, { bands }),
    get plot() {
      return plot.current ?? undefined;
    },
  }));

  const help = useId();
  const skipped = props.series.reduce((n, s) => n + s.skipped, 0);
  const runs = props.series.length;
  return (
    <figure className="fb-chart">
      <figcaption className="fb-chart-head">
        <span className="fb-chart-title">{props.title}</span>
        {props.onExport && (
          <ExportButtons
            title={props.title}
            onPng={async () => props.onExport!(fileName(props.title, 'png'), 'image/png', await uplotPng(plot.current!, theme, props.title))}
            onSvg={() => props.onExport!(fileName(props.title, 'svg'), 'image/svg+xml', uplotSvg(plot.current!, theme, props.title, { bands }))}
          />
        )}
      </figcaption>
      <div
        ref={el}
        className="fb-chart-plot"
        role="img"
        tabIndex={0}
        aria-label={`${props.title}: ${runs} run${runs === 1 ? '' : 's'} by ${X_LABEL[props.x]}${props.log ? ', log scale' : ''}${props.groupOf ? ', grouped' : ''}`}
        aria-describedby={help}
        onKeyDown={onKeyDown}
      />
      <p id={help} className="fb-chart-note">
        Drag to zoom, double-click to reset; when focused, arrow keys pan, + and − zoom, 0 resets; Ctrl+wheel zooms, Shift+wheel pans.
        {skipped > 0 && ` ${skipped} non-finite point${skipped === 1 ? '' : 's'} skipped.`}
        {built.hidden > 0 && ` ${built.hidden} value${built.hidden === 1 ? '' : 's'} ≤ 0 not shown on the log scale.`}
      </p>
    </figure>
  );
});
