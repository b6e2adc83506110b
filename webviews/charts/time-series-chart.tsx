// Lines over wall time from bucketed series (the endpoint monitor's requests/s, latency percentiles,
// error rate): uPlot with a time x axis; null values leave gaps. New buckets go through setData, so a live
// chart is never rebuilt.
import type uPlot from 'uplot';
import { useMemo, useRef } from 'react';
import { colorAt, useChartTheme } from './theme';
import { axisStyle, useUplot } from './uplot';

export interface TimeSeriesChartProps {
  title: string;
  /** Bucket start times, ms since epoch, ascending. */
  t: readonly number[];
  series: readonly { label: string; values: readonly (number | null)[] }[];
  unit: string;
  height?: number;
}

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const theme = useChartTheme();
  const el = useRef<HTMLDivElement>(null);
  const height = props.height ?? 180;
  const data = useMemo(() => [props.t.map((x) => x / 1000), ...props.series.map((s) => [...s.values])] as uPlot.AlignedData, [props.t, props.series]);
  const labels = props.series.map((s) => s.label);
  useUplot(
    el,
    [labels.join('\n'), props.unit, theme, height],
    (width) => ({
      width,
      height,
      // One bucket alone would get a span of years: show at least the last five minutes.
      scales: { x: { time: true, range: (_u, min, max) => (max - min < 300 ? [max - 300, max + 10] : [min, max]) }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1e-9, max ?? 1) * 1.1] } },
      axes: [axisStyle(theme), axisStyle(theme, { size: 60, label: props.unit })],
      series: [{ label: 'time' }, ...labels.map((label, i) => ({ label, stroke: colorAt(theme, i), width: 1.5, spanGaps: false, points: { show: props.t.length < 3 } }))],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: true } },
    }),
    data,
    false,
  );
  return (
    <figure className="fb-chart" aria-label={props.title}>
      <div className="fb-chart-head"><span className="fb-chart-title">{props.title}</span></div>
      <div className="fb-chart-plot" ref={el} role="img" aria-label={`${props.title}: ${props.t.length} buckets`} />
    </figure>
  );
}
