// Parallel coordinates of chosen params → a metric, with ECharts (imported part by part to keep the bundle
// small; it runs under the panels' CSP without eval). Brushing an axis reports the brushed ranges; the same
// brush can be set from the keyboard through the form under the chart.
import * as echarts from 'echarts/core';
import { ParallelChart } from 'echarts/charts';
import { ParallelComponent, VisualMapContinuousComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { forwardRef, useEffect, useId, useImperativeHandle, useMemo, useRef, useState } from 'react';
import type { AxisBrush } from './brush';
import { dataUrlBytes, fileName, type ExportHandler } from './export';
import { ExportButtons } from './export-buttons';
import { useChartTheme, type ChartTheme } from './theme';

echarts.use([ParallelChart, ParallelComponent, VisualMapContinuousComponent, CanvasRenderer, SVGRenderer]);

export type AxisValue = number | string | boolean | null;

export interface ParallelAxis {
  /** Column key (`params.lr`, `metrics.auc`); brushes report it. */
  key: string;
  label?: string;
}

export interface ParallelCoordinatesProps {
  title: string;
  /** Left to right; the last one colours the lines (the metric, usually). */
  axes: readonly ParallelAxis[];
  rows: readonly { id: string; values: readonly AxisValue[] }[];
  onBrush(brushes: AxisBrush[]): void;
  height?: number;
  onExport?: ExportHandler;
}

export interface ParallelHandle {
  png(): Uint8Array;
  svg(): string;
  /** Brush axis `index` to `intervals` (in axis values; category axes in category positions). */
  brush(index: number, intervals: [number, number][]): void;
}

interface AxisShape {
  numeric: boolean;
  categories: string[];
  log: boolean;
}

function shapes(axes: readonly ParallelAxis[], rows: ParallelCoordinatesProps['rows']): AxisShape[] {
  return axes.map((_, i) => {
    const values = rows.map((r) => r.values[i]).filter((v) => v !== null && v !== undefined);
    const numeric = values.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!numeric) return { numeric, log: false, categories: [...new Set(values.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) };
    const nums = values as number[];
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    // Learning rates and the like span decades; a linear axis would crush all but the largest.
    return { numeric, categories: [], log: lo > 0 && hi / lo >= 100 };
  });
}

function option(props: ParallelCoordinatesProps, axes: AxisShape[], theme: ChartTheme): echarts.EChartsCoreOption {
  const text = { color: theme.foreground, fontFamily: theme.font.replace(/^\S+\s/, '') };
  const metric = axes.length - 1;
  const metricValues = props.rows.map((r) => r.values[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return {
    animation: false,
    backgroundColor: theme.background,
    textStyle: text,
    parallel: { left: 60, right: 90, top: 40, bottom: 30, parallelAxisDefault: { realtime: false, nameTextStyle: text, axisLabel: { color: theme.foreground }, axisLine: { lineStyle: { color: theme.muted } }, axisTick: { lineStyle: { color: theme.muted } }, splitLine: { show: false }, areaSelectStyle: { width: 16, color: theme.fills[0], borderColor: theme.palette[0], opacity: 1 } } },
    parallelAxis: props.axes.map((a, i) => ({
      dim: i,
      id: a.key,
      name: a.label ?? a.key,
      ...(axes[i].numeric ? { type: axes[i].log ? 'log' : 'value', scale: true } : { type: 'category', data: axes[i].categories }),
    })),
    visualMap:
      axes[metric]?.numeric && metricValues.length
        ? { type: 'continuous', show: true, dimension: metric, min: Math.min(...metricValues), max: Math.max(...metricValues), right: 0, bottom: 30, itemHeight: 100, calculable: false, textStyle: text, inRange: { color: [theme.palette[0], theme.palette[1]] } }
        : undefined,
    series: [
      {
        type: 'parallel',
        lineStyle: { width: 1.5, opacity: 0.8, color: theme.palette[0] },
        inactiveOpacity: 0.08,
        activeOpacity: 1,
        data: props.rows.map((r) => r.values.map((v, i) => (v === null || v === undefined ? '-' : axes[i].numeric ? v : String(v)))),
      },
    ],
  };
}

export const ParallelCoordinates = forwardRef<ParallelHandle, ParallelCoordinatesProps>(function ParallelCoordinates(props, ref) {
  const theme = useChartTheme();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>();
  const axes = useMemo(() => shapes(props.axes, props.rows), [props.axes, props.rows]);
  const opt = useMemo(() => option(props, axes, theme), [props.axes, props.rows, axes, theme]);
  const brushes = useRef(new Map<string, [number, number][]>());
  const live = useRef({ props, axes });
  live.current = { props, axes };
  const height = props.height ?? 320;

  useEffect(() => {
    const node = el.current!;
    const c = echarts.init(node, null, { renderer: 'canvas', height });
    chart.current = c;
    c.on('axisareaselected', (e: unknown) => {
      const { parallelAxisId, intervals } = e as { parallelAxisId?: string; intervals?: [number, number][] };
      if (!parallelAxisId) return;
      if (intervals && intervals.length) brushes.current.set(parallelAxisId, intervals);
      else brushes.current.delete(parallelAxisId);
      const { props: p, axes: shapesNow } = live.current;
      const out: AxisBrush[] = [];
      p.axes.forEach((a, i) => {
        const iv = brushes.current.get(a.key);
        if (!iv) return;
        if (shapesNow[i].numeric) out.push({ column: a.key, intervals: iv });
        else out.push({ column: a.key, values: shapesNow[i].categories.filter((_, k) => iv.some(([lo, hi]) => k >= Math.min(lo, hi) - 1e-9 && k <= Math.max(lo, hi) + 1e-9)) });
      });
      p.onBrush(out);
    });
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(node);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = undefined;
    };
  }, [height]);

  useEffect(() => {
    // Axes change → old brushes no longer mean anything.
    brushes.current.clear();
    chart.current?.setOption(opt, { notMerge: true });
  }, [opt]);

  const brush = (index: number, intervals: [number, number][]) => chart.current?.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: props.axes[index].key, intervals });
  const png = () => dataUrlBytes(chart.current!.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: theme.background }));
  const svg = () => {
    const copy = echarts.init(null, null, { renderer: 'svg', ssr: true, width: chart.current?.getWidth() ?? 800, height });
    try {
      copy.setOption(opt);
      for (const [parallelAxisId, intervals] of brushes.current) copy.dispatchAction({ type: 'axisAreaSelect', parallelAxisId, intervals });
      return copy.renderToSVGString();
    } finally {
      copy.dispose();
    }
  };
  useImperativeHandle(ref, () => ({ png, svg, brush }));

  return (
    <figure className="fb-chart">
      <figcaption className="fb-chart-head">
        <span className="fb-chart-title">{props.title}</span>
        {props.onExport && <ExportButtons title={props.title} onPng={() => props.onExport!(fileName(props.title, 'png'), 'image/png', png())} onSvg={() => props.onExport!(fileName(props.title, 'svg'), 'image/svg+xml', svg())} />}
      </figcaption>
      <div ref={el} className="fb-chart-plot" role="img" aria-label={`${props.title}: ${props.rows.length} runs across ${props.axes.map((a) => a.label ?? a.key).join(', ')}`} style={{ height }} />
      <KeyboardBrush axes={props.axes} shapes={axes} onApply={brush} />
    </figure>
  );
});

/** Brushing without a mouse: pick an axis and a range (or a category), apply or clear. */
function KeyboardBrush(props: { axes: readonly ParallelAxis[]; shapes: AxisShape[]; onApply(index: number, intervals: [number, number][]): void }) {
  const id = useId();
  const [axis, setAxis] = useState(0);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const shape = props.shapes[axis];
  if (!shape) return null;
  const apply = () => {
    if (shape.numeric) {
      const a = Number(from);
      const b = Number(to);
      if (from.trim() !== '' && to.trim() !== '' && Number.isFinite(a) && Number.isFinite(b)) props.onApply(axis, [[a, b]]);
    } else {
      const k = shape.categories.indexOf(from);
      if (k >= 0) props.onApply(axis, [[k, k]]);
    }
  };
  return (
    <div className="fb-brush" role="group" aria-label="Brush an axis">
      <label htmlFor={`${id}-axis`}>Brush</label>
      <select id={`${id}-axis`} value={axis} onChange={(e) => setAxis(Number(e.target.value))}>
        {props.axes.map((a, i) => (
          <option key={a.key} value={i}>
            {a.label ?? a.key}
          </option>
        ))}
      </select>
      {shape.numeric ? (
        <>
          <input aria-label="Brush from" placeholder="from" inputMode="decimal" value={from} onChange={(e) => setFrom(e.target.value)} size={8} />
          <input aria-label="Brush to" placeholder="to" inputMode="decimal" value={to} onChange={(e) => setTo(e.target.value)} size={8} />
        </>
      ) : (
        <select aria-label="Brush value" value={from} onChange={(e) => setFrom(e.target.value)}>
          <option value="">(choose)</option>
          {shape.categories.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      )}
      <button type="button" className="fb-chart-button" onClick={apply}>
        Apply
      </button>
      <button type="button" className="fb-chart-button" onClick={() => props.onApply(axis, [])}>
        Clear
      </button>
    </div>
  );
}
