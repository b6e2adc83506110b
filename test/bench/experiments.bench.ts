// The experiments panel at 10,000 and 100,000 runs × 100 params/metrics, in Chromium: the shipped
// (production) bundle served by the component harness under the panel's CSP, its real host controller
// and RunTable in this Node process, bridged through playwright (what VS Code's postMessage does).
// Measured: open → first rows painted, sort and filter (click/typing → new first rows painted), frame time
// while scrolling, the webview's JS heap. FLOWBENCH_BENCH_QUICK=1: small sizes, no verdicts.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openHarness } from '../webviews/harness';
import { controllerHost } from '../webviews/experiments-host';
import { generateSummaries } from '../webviews/runs';
import { atMost, percentile, runBench, size, verdict } from './harness';

// Page functions run in the browser; the root project has no DOM types.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const requestAnimationFrame: (fn: () => void) => void;

const SIZES = size([10_000, 100_000], [2_000]);
const TARGETS: Record<number, { firstRows: number; query: number; fps?: number; heapMb?: number }> = {
  10_000: { firstRows: 1000, query: 100, fps: 50 },
  100_000: { firstRows: 1500, query: 250, heapMb: 200 },
};
const ENTRY = join(__dirname, '../../webviews/experiments/index.tsx');

// Records when the first run row is in the DOM and painted (the frame after it was added).
// (tsx compiles this file keeping function names, through a `__name` helper the page lacks: give it one.)
const FIRST_ROWS_PROBE = `
  window.__name = (f) => f;
  new MutationObserver((_, observer) => {
    if (!document.querySelector('[role=row][data-run]')) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstRows = performance.now(); });
  }).observe(document, { childList: true, subtree: true });`;

/** Does `act` (clicks and typing, through playwright) and times, in the page, from the input event it causes
 *  (`click`, or the last `input`: playwright's own actionability checks before it are not the panel's time)
 *  until the grid shows a new query result (its data-version), row 0 of it is filled, and that frame is painted. */
async function timeToNewResult(page: Page, event: 'click' | 'input', act: () => Promise<void>): Promise<number> {
  await page.evaluate((event) => {
    window.__before = document.querySelector('.xp-grid')?.getAttribute('data-version');
    window.__t0 = undefined;
    window.__listen = new AbortController();
    document.addEventListener(event, (e: { timeStamp: number }) => (window.__t0 = e.timeStamp), { capture: true, signal: window.__listen.signal });
  }, event);
  await act();
  return page.evaluate(async () => {
    await new Promise<void>((done) => {
      const check = () => {
        const version = document.querySelector('.xp-grid')?.getAttribute('data-version');
        const filled = document.querySelector('[role=row][data-position="0"][data-run]');
        if (filled && version !== window.__before && window.__t0 !== undefined) requestAnimationFrame(() => done());
        else requestAnimationFrame(check);
      };
      check();
    });
    window.__listen.abort();
    return performance.now() - window.__t0;
  });
}

async function scrollFrames(page: Page, frames: number): Promise<number[]> {
  return page.evaluate(async (frames) => {
    const grid = document.querySelector('.xp-grid');
    const times: number[] = [];
    let last = performance.now();
    await new Promise<void>((done) => {
      const step = () => {
        const now = performance.now();
        times.push(now - last);
        last = now;
        grid.scrollTop += 24 * 7;
        if (times.length < frames) requestAnimationFrame(step);
        else done();
      };
      requestAnimationFrame(step);
    });
    return times.slice(1);
  }, frames);
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const line = (label: string, value: string, target?: string, ok?: string) => console.log(`  ${label.padEnd(34)} ${value.padStart(10)}${target ? `  (target ${target}) ${ok}` : ''}`);

async function measure(runs: number): Promise<void> {
  const summaries = generateSummaries(runs, 50, 50);
  const ch = controllerHost(summaries);
  const h = await openHarness(ENTRY, { host: ch.host, production: true, initScript: FIRST_ROWS_PROBE, viewport: { width: 1400, height: 900 } });
  try {
    const { page } = h;
    await page.waitForFunction(() => window.__firstRows !== undefined, undefined, { timeout: 120_000 });
    const firstRows = await page.evaluate(() => window.__firstRows);
    const target = TARGETS[runs];
    console.log(`\n${runs.toLocaleString('en-US')} runs × 100 params/metrics`);
    line('open → first rows painted', ms(firstRows), target && `≤ ${target.firstRows} ms`, target && atMost(firstRows, target.firstRows));

    const header = page.locator('button[data-column="duration"]');
    const sort = await timeToNewResult(page, 'click', () => header.click());
    line('sort (click → rows painted)', ms(sort), target && `≤ ${target.query} ms`, target && atMost(sort, target.query));
    const multi = await timeToNewResult(page, 'click', () => header.click({ modifiers: ['Shift'] }));
    line('multi-column sort (shift-click)', ms(multi), target && `≤ ${target.query} ms`, target && atMost(multi, target.query));

    const box = page.getByLabel('Filter runs');
    // From the last keystroke: what the user waits (the filter box asks on every keystroke, without a pause).
    const filter = await timeToNewResult(page, 'input', () => box.fill('metrics.auc > 0.7 and params.learning_rate < 0.01 and status = succeeded'));
    line('filter (last keystroke → rows painted)', ms(filter), target && `≤ ${target.query} ms`, target && atMost(filter, target.query));

    const frames = await scrollFrames(page, 120);
    const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
    const fps = 1000 / mean;
    line('scrolling: mean frame', ms(mean), target?.fps ? `≥ ${target.fps} fps` : undefined, target?.fps ? verdict(fps >= target.fps) : undefined);
    line('scrolling: p95 frame', ms(percentile(frames, 95)));
    line('scrolling: frames per second', fps.toFixed(0));
    const heap = await heapMb(page);
    line('webview JS heap', `${heap.toFixed(1)} MB`, target?.heapMb ? `≤ ${target.heapMb} MB` : undefined, target?.heapMb ? atMost(heap, target.heapMb) : undefined);
    if (h.errors.length || ch.errors.length) throw new Error(`errors while measuring: ${[...h.errors, ...ch.errors].join('; ')}`);
  } finally {
    await h.close();
  }
}

runBench(async () => {
  for (const runs of SIZES) await measure(runs);
});
