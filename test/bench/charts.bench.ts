// History chart of 100 runs × 10,000 points in Chromium: the host downsamples with core/runs/series.ts
// (1,000 buckets keeping min/max/last), the webview draws with uPlot. Measured: downsampling, first render
// (render call to first painted frame), frame rate while panning and zooming.
// FLOWBENCH_BENCH_QUICK=1: 10 runs × 1,000 points, figures only, no targets.
import { join } from 'node:path';
import { downsampleAll } from '../../core/runs/series';
import type { MetricPoint } from '../../core/runs/types';
import { openHarness } from '../webviews/harness';

// What the evaluate callbacks see in the page (see test/webviews/charts-bench.entry.tsx).
type Frames = { fps: number; worstMs: number; scriptP50Ms: number };
declare const window: { bench: { render(series: unknown): Promise<number>; unmount(): void; animate(kind: string, frames: number): Promise<Frames> } };

const QUICK = process.env.FLOWBENCH_BENCH_QUICK === '1';
const RUNS = QUICK ? 10 : 100;
const POINTS = QUICK ? 1_000 : 10_000;
const BUCKETS = 1_000;
const FRAMES = QUICK ? 30 : 120;

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const verdict = (ok: boolean, target: string) => (QUICK ? '' : `(target ${target}) ${ok ? 'OK' : 'SLOW'}`);

async function main() {
  const t0 = Date.UTC(2026, 0, 1);
  const histories = Array.from({ length: RUNS }, (_, r) => ({
    runId: `run-${r}`,
    points: Array.from({ length: POINTS }, (_, i): MetricPoint => ({ index: i, value: Math.exp(-i / (2000 + r * 30)) + 0.05 * Math.sin(i / 7 + r), time: t0 + r * 3_600_000 + i * 250 })),
  }));
  const d0 = performance.now();
  const series = downsampleAll(histories, 'loss', 'step', BUCKETS);
  const downsampleMs = performance.now() - d0;

  const h = await openHarness(join(__dirname, '../webviews/charts-bench.entry.tsx'), { viewport: { width: 1100, height: 700 } });
  let ok = true;
  try {
    await h.page.waitForFunction(() => window.bench !== undefined, null, { timeout: 30_000 });
    // One warm-up render so the figure is the chart's cost, not the bundle's first parse and JIT.
    await h.page.evaluate((s) => window.bench.render(s), series.slice(0, 2));
    await h.page.evaluate(() => window.bench.unmount());
    const renderMs: number = await h.page.evaluate((s) => window.bench.render(s), series);
    // The first frames after a render pay for JIT and the render's garbage; reported apart from the steady pan.
    const first: Frames = await h.page.evaluate(() => window.bench.animate('pan', 10));
    const pan: Frames = await h.page.evaluate((n) => window.bench.animate('pan', n), FRAMES);
    const zoom: Frames = await h.page.evaluate((n) => window.bench.animate('zoom', n), FRAMES);
    if (h.errors.length) throw new Error(`page errors: ${h.errors.join('; ')}`);

    const points = RUNS * POINTS;
    const drawn = series.reduce((n, s) => n + s.x.length, 0);
    console.log(`${RUNS} runs × ${POINTS.toLocaleString('en')} points (${points.toLocaleString('en')}) downsampled to ${drawn.toLocaleString('en')} buckets in the host: ${fmt(downsampleMs)}`);
    const renderOk = renderMs <= 300;
    const panOk = pan.fps >= 30;
    const zoomOk = zoom.fps >= 30;
    ok = QUICK || (renderOk && panOk && zoomOk);
    console.log(`first render (render call to first painted frame): ${fmt(renderMs)} ${verdict(renderOk, '≤ 300 ms')}`);
    console.log(`first 10 frames of a pan after the render: ${first.fps.toFixed(1)} fps, worst frame ${fmt(first.worstMs)}`);
    console.log(`pan: ${pan.fps.toFixed(1)} fps over ${FRAMES} frames, worst frame ${fmt(pan.worstMs)}, redraw p50 ${fmt(pan.scriptP50Ms)} ${verdict(panOk, '≥ 30 fps')}`);
    console.log(`zoom: ${zoom.fps.toFixed(1)} fps over ${FRAMES} frames, worst frame ${fmt(zoom.worstMs)}, redraw p50 ${fmt(zoom.scriptP50Ms)} ${verdict(zoomOk, '≥ 30 fps')}`);
  } finally {
    await h.close();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
