// History chart of 100 runs × 10,000 points in Chromium: the host downsamples with core/runs/series.ts
// (1,000 buckets keeping min/max/last), the webview draws with uPlot. Measured: downsampling, first render
// (render call to first painted frame), frame rate while panning and zooming. Baselines in the same run: the
// same chart drawing every raw point (no downsampling), a one-run chart (fixed costs), and the frame rate of
// the idle page (what the machine gives at all). Targets: first render ≤ 300 ms, ≥ 30 fps while panning.
import { join } from 'node:path';
import { downsampleAll } from '../../core/runs/series';
import type { MetricPoint } from '../../core/runs/types';
import { openHarness } from '../webviews/harness';
import { atMost, runBench, size, verdict } from './harness';

// What the evaluate callbacks see in the page (see test/webviews/charts-bench.entry.tsx).
type Frames = { fps: number; worstMs: number; scriptP50Ms: number };
declare const window: {
  bench: { render(series: unknown): Promise<number>; renderRaw(runs: number, points: number): Promise<number>; idle(frames: number): Promise<number>; unmount(): void; animate(kind: string, frames: number): Promise<Frames> };
};

const RUNS = size(100, 10);
const POINTS = size(10_000, 1_000);
const BUCKETS = 1_000;
const FRAMES = size(120, 30);

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main() {
  const t0 = Date.UTC(2026, 0, 1);
  const histories = Array.from({ length: RUNS }, (_, r) => ({
    runId: `run-${r}`,
    points: Array.from({ length: POINTS }, (_, i): MetricPoint => ({ index: i, value: Math.exp(-i / (2000 + r * 30)) + 0.05 * Math.sin(i / 7 + r), time: t0 + r * 3_600_000 + i * 250 })),
  }));
  const d0 = performance.now();
  const series = downsampleAll(histories, 'loss', 'step', BUCKETS);
  const downsampleMs = performance.now() - d0;

  const h = await openHarness(join(__dirname, '../webviews/charts-bench.entry.tsx'), { viewport: { width: 1100, height: 700 }, production: true });
  try {
    await h.page.waitForFunction(() => window.bench !== undefined, null, { timeout: 30_000 });
    // A warm-up render so the figures are the chart's cost, not the bundle's first parse and JIT.
    await h.page.evaluate((s) => window.bench.render(s), series.slice(0, 2));
    await h.page.evaluate(() => window.bench.unmount());
    const oneMs: number = await h.page.evaluate((s) => window.bench.render(s), series.slice(0, 1));
    await h.page.evaluate(() => window.bench.unmount());
    const rawMs: number = await h.page.evaluate(([r, p]) => window.bench.renderRaw(r, p), [RUNS, POINTS]);
    await h.page.evaluate(() => window.bench.unmount());
    const renderMs: number = await h.page.evaluate((s) => window.bench.render(s), series);
    const idleFps: number = await h.page.evaluate((n) => window.bench.idle(n), FRAMES);
    // The first frames after a render pay for JIT and the render's garbage; reported apart from the steady pan.
    const first: Frames = await h.page.evaluate(() => window.bench.animate('pan', 10));
    const pan: Frames = await h.page.evaluate((n) => window.bench.animate('pan', n), FRAMES);
    const zoom: Frames = await h.page.evaluate((n) => window.bench.animate('zoom', n), FRAMES);
    if (h.errors.length) throw new Error(`page errors: ${h.errors.join('; ')}`);

    const drawn = series.reduce((n, s) => n + s.x.length, 0);
    console.log(`${RUNS} runs × ${POINTS.toLocaleString('en')} points (${(RUNS * POINTS).toLocaleString('en')}) downsampled to ${drawn.toLocaleString('en')} buckets in the host: ${fmt(downsampleMs)}`);
    console.log(`first render (render call to first painted frame): ${fmt(renderMs)} ${atMost(renderMs, 300)}`);
    console.log(`  baselines: one run ${fmt(oneMs)} (${(renderMs / oneMs).toFixed(1)}×); every raw point, no downsampling ${fmt(rawMs)} (${(rawMs / renderMs).toFixed(1)}× the downsampled chart)`);
    console.log(`idle page: ${idleFps.toFixed(1)} fps (the ceiling on this machine)`);
    console.log(`first 10 frames of a pan after the render: ${first.fps.toFixed(1)} fps, worst frame ${fmt(first.worstMs)}`);
    console.log(`pan: ${pan.fps.toFixed(1)} fps (${((pan.fps / idleFps) * 100).toFixed(0)}% of idle) over ${FRAMES} frames, worst frame ${fmt(pan.worstMs)}, redraw p50 ${fmt(pan.scriptP50Ms)} ${verdict(pan.fps >= 30)}`);
    console.log(`zoom: ${zoom.fps.toFixed(1)} fps (${((zoom.fps / idleFps) * 100).toFixed(0)}% of idle) over ${FRAMES} frames, worst frame ${fmt(zoom.worstMs)}, redraw p50 ${fmt(zoom.scriptP50Ms)} ${verdict(zoom.fps >= 30)}`);
  } finally {
    await h.close();
  }
}

runBench(main);
