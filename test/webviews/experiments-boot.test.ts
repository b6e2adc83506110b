// The experiments panel's boot in Chromium, through its real host controller: what the page does before
// and for its first rows (the open → first rows target of issue 8), and that it still ends up with all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openHarness } from './harness';
import { controllerHost } from './experiments-host';
import { generateSummaries } from './runs';

// Page functions run in the browser; the root project has no DOM types.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const requestIdleCallback: (fn: () => void) => void;
declare const customElements: { get(name: string): unknown };

const ENTRY = join(__dirname, '../../webviews/experiments/index.tsx');
const WAIT = { timeout: 30_000 };

// Counts what the first committed rows are, in the microtask after React put them into the DOM (before
// that frame is painted). (tsx keeps function names through a `__name` helper the page lacks: give it one.)
const FIRST_ROWS = `
  window.__name = (f) => f;
  new MutationObserver((_, observer) => {
    const rows = document.querySelectorAll('[role=row][data-run]');
    if (rows.length === 0) return;
    observer.disconnect();
    const grid = document.querySelector('.xp-grid');
    window.__first = { rows: rows.length, lines: Math.ceil((grid.clientHeight - 24) / 24), headers: document.querySelectorAll('[role=columnheader]').length,
      positions: [...rows].map((r) => Number(r.dataset.position)).sort((a, b) => a - b) };
  }).observe(document, { childList: true, subtree: true });`;

test('the first paint has only the lines and columns on screen; those beyond come right after it', async () => {
  const ch = controllerHost(generateSummaries(2_000, 50, 50));
  const h = await openHarness(ENTRY, { host: ch.host, initScript: FIRST_ROWS, viewport: { width: 1400, height: 900 }, state: { groupByFlow: false } });
  try {
    await h.page.waitForFunction(() => window.__first !== undefined, undefined, WAIT);
    const first = await h.page.evaluate(() => window.__first);
    // Every line on screen is there at once (the frame paints no blank line), the overscan is not yet.
    assert.deepEqual(first.positions.slice(0, first.lines), Array.from({ length: first.lines }, (_, i) => i));
    // The virtualizer starts from the window's height, a little more than the grid's: a row or five more.
    assert.ok(first.rows <= first.lines + 6, `${first.rows} rows at first for ${first.lines} lines on screen`);
    // Then the lines and columns beyond the screen, which a scroll needs, come in.
    await h.page.waitForFunction((n: number) => document.querySelectorAll('[role=row][data-run]').length >= n + 10, first.lines, WAIT);
    const headers = await h.page.locator('[role=columnheader]').count();
    assert.ok(headers > first.headers, `${headers} column headers after the first paint, ${first.headers} at it`);
    assert.deepEqual([...h.errors, ...ch.errors], []);
  } finally {
    await h.close();
  }
});

test('the page fetches the chunks its bundle imports together with the bundle, each once', async () => {
  const ch = controllerHost(generateSummaries(50));
  const requests: string[] = [];
  const h = await openHarness(ENTRY, {
    host: ch.host,
    beforeNavigate: (page) => {
      page.on('request', (request) => requests.push(`request ${new URL(request.url()).pathname}`));
      page.on('requestfinished', (request) => requests.push(`finished ${new URL(request.url()).pathname}`));
    },
  });
  try {
    await h.page.waitForSelector('[role=row][data-run]', WAIT);
    const preloaded = await h.page.$$eval('link[rel=modulepreload]', (links: any[]) => links.map((l) => new URL(l.href).pathname)); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.ok(preloaded.length > 0 && preloaded.every((path) => path.startsWith('/shared/chunk-')), `preloaded: ${preloaded}`);
    // Without the preload a chunk is asked for only once the bundle has arrived and been parsed.
    const bundleArrived = requests.indexOf('finished /main.js');
    for (const chunk of preloaded) {
      assert.ok(requests.indexOf(`request ${chunk}`) < bundleArrived, `${chunk} asked for before the bundle arrived: ${requests.join(', ')}`);
      assert.equal(requests.filter((r) => r === `request ${chunk}`).length, 1, `${chunk} fetched once`);
    }
    // The lazy chunks (the compare view, the toolkit) are not among them.
    assert.ok(!preloaded.some((path) => /compare-view|toolkit/.test(path)));
    assert.deepEqual([...h.errors, ...ch.errors], []);
  } finally {
    await h.close();
  }
});

test('the panel never loads the webview toolkit: its controls stay the plain look-alike elements', async () => {
  const ch = controllerHost(generateSummaries(50));
  const requests: string[] = [];
  const h = await openHarness(ENTRY, { host: ch.host, beforeNavigate: (page) => void page.on('request', (request) => requests.push(new URL(request.url()).pathname)) });
  try {
    await h.page.waitForSelector('[role=row][data-run]', WAIT);
    // The toolkit used to come at the first idle time after the first rows: wait past two idle periods.
    await h.page.evaluate(() => new Promise<void>((idle) => requestIdleCallback(() => requestIdleCallback(() => idle()))));
    assert.deepEqual(requests.filter((path) => /toolkit/.test(path)), []);
    assert.equal(await h.page.evaluate(() => customElements.get('vscode-button') === undefined), true);
    assert.ok((await h.page.locator('.xp-toolbar button.fb-button').count()) > 0);
    assert.ok((await h.page.locator('.xp-toolbar label.fb-checkbox input[type=checkbox]').count()) > 0);
    assert.deepEqual([...h.errors, ...ch.errors], []);
  } finally {
    await h.close();
  }
});
