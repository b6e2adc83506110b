// One place that owns a uPlot instance's life: created when the chart's structure changes (series, scales,
// theme), fed new data without a rebuild otherwise, resized with its container, destroyed on unmount.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef, type RefObject } from 'react';
import type { ChartTheme } from './theme';

export function axisStyle(theme: ChartTheme, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return { stroke: theme.foreground, grid: { stroke: theme.grid, width: 0.5 }, ticks: { stroke: theme.grid, width: 0.5 }, font: theme.font, ...extra };
}

/**
 * `makeOptions` runs when `structure` changes; `data` alone goes through setData (keeping the zoom when
 * `keepScales`). `onData` runs after every setData, inside which scale hooks should not treat changes as the
 * user's.
 */
export function useUplot(
  container: RefObject<HTMLDivElement>,
  structure: unknown[],
  makeOptions: (width: number) => uPlot.Options,
  data: uPlot.AlignedData,
  keepScales: boolean,
  onData?: (u: uPlot) => void,
): RefObject<uPlot | undefined> {
  const plot = useRef<uPlot>();
  const current = useRef({ data, onData });
  current.current = { data, onData };
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const u = new uPlot(makeOptions(el.clientWidth || 600), current.current.data, el);
    plot.current = u;
    current.current.onData?.(u);
    const resize = new ResizeObserver(() => {
      const width = el.clientWidth;
      if (width > 0 && width !== u.width) u.setSize({ width, height: u.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = undefined;
    };
  }, structure);
  const created = useRef(false);
  useEffect(() => {
    const u = plot.current;
    // The creating effect already drew this data.
    if (!created.current) {
      created.current = true;
      return;
    }
    if (!u) return;
    u.setData(data, !keepScales);
    current.current.onData?.(u);
  }, [data]);
  return plot;
}
