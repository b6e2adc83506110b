// One param against one metric over the selected runs, as uPlot points (no lines). String or boolean params
// go on a category axis in sorted order.
import type uPlot from 'uplot';
import { forwardRef, useImperativeHandle, useMemo, useRef } from 'react';
import { fileName, uplotPng, uplotSvg, type ExportHandler } from './export';
import { ExportButtons } from './export-buttons';
import type { ChartHandle } from './history-chart';
import { colorAt, useChartTheme } from './theme';
import { axisStyle, useUplot } from './uplot';

export interface ScatterPoint {
  id: string;
  x: number | string | boolean | null;
  y: number | null;
}

export interface ScatterChartProps {
  xLabel: string;
  yLabel: string;
  points: readonly ScatterPoint[];
  height?: number;
  onExport?: ExportHandler;
}

function build(points: readonly ScatterPoint[]) {
  const usable = points.filter((p) => p.x !== null && p.y !== null && Number.isFinite(p.y) && (typeof p.x !== 'number' || Number.isFinite(p.x)));
  const numeric = usable.every((p) => typeof p.x === 'number');
  const categories = numeric ? [] : [...new Set(usable.map((p) => String(p.x)))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const at = new Map(categories.map((c, i) => [c, i]));
  const pairs = usable.map((p) => [numeric ? (p.x as number) : at.get(String(p.x))!, p.y as number] as const).sort((a, b) => a[0] - b[0]);
  const xs = pairs.map((p) => p[0]);
  // Learning rates and the like span decades (the parallel coordinates' axes make the same call).
  const log = numeric && xs.length > 1 && xs[0] > 0 && xs[xs.length - 1] / xs[0] >= 100;
  return { data: [xs, pairs.map((p) => p[1])] as uPlot.AlignedData, categories, log, skipped: points.length - usable.length };
}

export const ScatterChart = forwardRef<ChartHandle, ScatterChartProps>(function ScatterChart(props, ref) {
  const theme = useChartTheme();
  const el = useRef<HTMLDivElement>(null);
  const { data, categories, log, skipped } = useMemo(() => build(props.points), [props.points]);
  const title = `${props.yLabel} by ${props.xLabel}`;
  const height = props.height ?? 260;
  const plot = useUplot(
    el,
    [categories.join('\n'), log, props.xLabel, props.yLabel, theme, height],
    (width) => ({
      width,
      height,
      mode: 1,
      scales: { x: { time: false, ...(log ? { distr: 3, log: 10 } : {}), ...(categories.length ? { range: [-0.5, categories.length - 0.5] as [number, number] } : {}) } },
      axes: [
        axisStyle(theme, categories.length ? { splits: () => categories.map((_, i) => i), values: (_u, splits) => splits.map((i) => categories[i] ?? '') } : {}),
        axisStyle(theme, { size: 60 }),
      ],
      series: [{ label: props.xLabel }, { label: props.yLabel, stroke: colorAt(theme, 0), paths: () => null, points: { show: true, size: 7, fill: colorAt(theme, 0), stroke: colorAt(theme, 0) } }],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: true, setScale: true } },
    }),
    data,
    false,
  );
  useImperativeHandle(ref, () => ({
    png: () => uplotPng(plot.current!, theme, title),
    svg: () => uplotSvg(plot.current!, theme, title, { points: true }),
    get plot() {
      return plot.current ?? undefined;
    },
  }));
  const n = data[0].length;
  return (
    <figure className="fb-chart">
      <figcaption className="fb-chart-head">
        <span className="fb-chart-title">{title}</span>
        {props.onExport && (
          <ExportButtons
            title={title}
            onPng={async () => props.onExport!(fileName(title, 'png'), 'image/png', await uplotPng(plot.current!, theme, title))}
            onSvg={() => props.onExport!(fileName(title, 'svg'), 'image/svg+xml', uplotSvg(plot.current!, theme, title, { points: true }))}
          />
        )}
      </figcaption>
      <div ref={el} className="fb-chart-plot" role="img" tabIndex={0} aria-label={`${title}: ${n} run${n === 1 ? '' : 's'}`} />
      {skipped > 0 && <p className="fb-chart-note">{skipped} run{skipped === 1 ? '' : 's'} without both values not shown.</p>}
    </figure>
  );
});
