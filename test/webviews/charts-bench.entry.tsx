// Page for test/bench/charts.bench.ts: renders a HistoryChart from buckets handed in by the bench and times
// the first render and the frames of a pan and a zoom.
import { createRoot } from 'react-dom/client';
import { createRef } from 'react';
import type { SeriesBuckets } from '../../core/runs/series';
import { HistoryChart, type ChartHandle } from '../../webviews/charts';

const chart = createRef<ChartHandle>();
const frame = () => new Promise<number>((done) => requestAnimationFrame(done));
const container = document.createElement('div');
container.style.width = '1000px';
document.body.appendChild(container);
const root = createRoot(container);

/** From render() to the first frame painted after uPlot drew. */
async function render(series: SeriesBuckets[]): Promise<number> {
  const t0 = performance.now();
  root.render(<HistoryChart ref={chart} title="loss" series={series} x="step" />);
  while (!chart.current?.plot) await frame();
  await frame();
  return performance.now() - t0;
}

/** The naive way for comparison: every point of every run drawn (no downsampling), generated in the page so
 *  the transfer is not what is timed. Same curves as the bench's histories. */
async function renderRaw(runs: number, points: number): Promise<number> {
  const series: SeriesBuckets[] = Array.from({ length: runs }, (_, r) => {
    const x = Array.from({ length: points }, (_, i) => i);
    const v = x.map((i) => Math.exp(-i / (2000 + r * 30)) + 0.05 * Math.sin(i / 7 + r));
    return { runId: `run-${r}`, key: 'loss', x, min: v, max: v, last: v, skipped: 0 };
  });
  return render(series);
}

/** Frames per second of the page doing nothing: what this machine gives at all, the pan's ceiling. */
async function idle(frames: number): Promise<number> {
  const t0 = await frame();
  let t = t0;
  for (let i = 0; i < frames; i++) t = await frame();
  return (frames * 1000) / (t - t0);
}

/** Moves the x scale on every animation frame (pan: shift by 1% of the span; zoom: narrow by 2%). */
async function animate(kind: 'pan' | 'zoom', frames: number): Promise<{ fps: number; worstMs: number; scriptP50Ms: number }> {
  const u = chart.current!.plot!;
  const [min0, max0] = [u.scales.x.min!, u.scales.x.max!];
  let [min, max] = kind === 'pan' ? [min0, min0 + (max0 - min0) / 2] : [min0, max0];
  const stamps: number[] = [];
  const script: number[] = [];
  stamps.push(await frame());
  for (let i = 0; i < frames; i++) {
    const span = max - min;
    if (kind === 'pan') [min, max] = [min + span * 0.01, max + span * 0.01];
    else [min, max] = [min + span * 0.01, max - span * 0.01];
    const t = performance.now();
    u.setScale('x', { min, max });
    // uPlot redraws in a microtask after the scale change; this await lets it.
    await Promise.resolve();
    script.push(performance.now() - t);
    stamps.push(await frame());
  }
  const gaps = stamps.slice(1).map((s, i) => s - stamps[i]);
  const elapsed = stamps[stamps.length - 1] - stamps[0];
  return { fps: (frames * 1000) / elapsed, worstMs: Math.max(...gaps), scriptP50Ms: script.sort((a, b) => a - b)[Math.floor(script.length / 2)] };
}

Object.assign(window, { bench: { render, renderRaw, idle, animate, unmount: () => root.render(<></>) } });
