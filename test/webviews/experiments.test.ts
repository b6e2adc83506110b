// The experiments panel in Chromium, bundled and served as it ships (harness.ts), talking to its real host
// controller in Node over the real RunTable (experiments-host.ts): virtualization, sort, filter problems,
// stars, keyboard selection, CSV export, delete, live updates, restored state — and no CSP violation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openHarness, type Harness } from './harness';
import { controllerHost, type ControllerHost } from './experiments-host';
import { generateSummaries } from './runs';
import type { RunSummary } from '../../core/runs/types';

// Page functions run in the browser; the root project has no DOM types.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any;
type Element = { dataset: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const ENTRY = join(__dirname, '../../webviews/experiments/index.tsx');
const RUNS = 5_000;
const WAIT = { timeout: 30_000 };

async function open(summaries: RunSummary[], options: { state?: unknown; confirmDelete?: boolean } = {}): Promise<{ h: Harness; ch: ControllerHost }> {
  const ch = controllerHost(summaries, { confirmDelete: options.confirmDelete });
  const h = await openHarness(ENTRY, { host: ch.host, state: options.state });
  await h.page.waitForSelector('[role=row][data-run]', WAIT);
  return { h, ch };
}

const firstRunIds = async (page: Page, n: number) => {
  await page.waitForSelector('[role=row][data-run]', WAIT);
  return page.$$eval('[role=row][data-run]', (rows, n) => rows.sort((a, b) => Number((a as Element).dataset.position) - Number((b as Element).dataset.position)).slice(0, n).map((r) => (r as Element).dataset.run!), n);
};

const statusText = (page: Page) => page.locator('.xp-status').innerText();

describe('experiments panel', () => {
  const summaries = generateSummaries(RUNS, 50, 50);
  let h: Harness;
  let ch: ControllerHost;

  before(async () => {
    ({ h, ch } = await open(summaries));
  });
  after(async () => {
    await h?.close();
  });

  test('paints only the rows and columns on screen', async () => {
    assert.match(await statusText(h.page), new RegExp(`^${RUNS} of ${RUNS} runs`));
    const rows = await h.page.locator('[role=row][data-run]').count();
    assert.ok(rows > 10 && rows < 80, `${rows} rows in the DOM for ${RUNS} runs`);
    const headers = await h.page.locator('[role=columnheader]').count();
    assert.ok(headers > 5 && headers < 40, `${headers} column headers in the DOM for ~110 columns`);
    // Every cell sits under its column's header, as wide, side by side (cells are placed by stylesheet rules).
    const boxes = (selector: string) =>
      h.page.$$eval(selector, (els) => els.map((el) => [Math.round(el.getBoundingClientRect().left), Math.round(el.getBoundingClientRect().width)]));
    const placed = { heads: await boxes('[role=columnheader]'), cells: await boxes('[role=row][data-position="0"] [role=gridcell]') };
    assert.deepEqual(placed.cells, placed.heads);
    for (let i = 1; i < placed.cells.length; i++) assert.equal(placed.cells[i]![0], placed.cells[i - 1]![0]! + placed.cells[i - 1]![1]!, `cell ${i} starts where cell ${i - 1} ends`);
    // Scrolled far down, the rows there are painted (fetched window by window).
    await h.page.locator('.xp-grid').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await h.page.waitForFunction(() => [...document.querySelectorAll('[role=row][data-position]')].some((r) => Number((r as Element).dataset.position) > 2000 && (r as Element).dataset.run), undefined, WAIT);
    await h.page.locator('.xp-grid').evaluate((el) => (el.scrollTop = 0));
    await h.page.waitForSelector('[role=row][data-position="0"][data-run]', WAIT);
    assert.deepEqual(h.errors, []);
  });

  test('a cell clips only when its text may not fit, and no other cell\'s text runs past its edge', async () => {
    const cells = await h.page.$$eval('[role=row][data-run] [role=gridcell]', (els: any[]) => // eslint-disable-line @typescript-eslint/no-explicit-any
      els
        // Attached cells only: $$eval finds the elements first and runs this later, and a render in between
        // (the previous test's scroll back to the top) can remove some of them.
        .filter((el) => el.getClientRects().length > 0 && !el.querySelector('input, [role=button]'))
        .map((el) => {
          const text = document.createRange();
          text.selectNodeContents(el);
          const style = window.getComputedStyle(el);
          return { clip: el.classList.contains('clip'), text: el.textContent, right: el.getBoundingClientRect().right, textRight: text.getBoundingClientRect().right, overflow: style.overflow, ellipsis: style.textOverflow };
        }),
    );
    const clipped = cells.filter((c) => c.clip);
    assert.ok(clipped.length > 0 && clipped.length * 2 < cells.length, `${clipped.length} of ${cells.length} cells clip`);
    assert.ok(clipped.every((c) => c.overflow === 'hidden' && c.ellipsis === 'ellipsis'));
    const spilling = cells.filter((c) => !c.clip && c.textRight > c.right);
    assert.deepEqual(spilling.map((c) => c.text), []);
  });

  test('rows carry only the columns on screen; scrolling right fetches the new ones', async () => {
    // What the webview asks the host for, from here on.
    const asked: { method: string; columns: string[] }[] = [];
    const receive = ch.host.receive.bind(ch.host);
    ch.host.receive = (message, post) => {
      const m = message as { method: string; params?: { columns?: string[] } };
      if (m.method === 'experiments/rows') asked.push({ method: m.method, columns: m.params!.columns! });
      return receive(message, post);
    };
    try {
      await h.page.locator('.xp-grid').evaluate((el) => (el.scrollLeft = el.scrollWidth));
      // The last column comes into view and its cells fill in (a blank cell would be one never fetched).
      const last = h.page.locator('button[data-column="metrics.m049"]');
      await last.waitFor(WAIT);
      const cellText = () =>
        h.page.waitForFunction(() => {
          const heads = [...document.querySelectorAll('[role=columnheader]')];
          const at = heads.findIndex((el) => el.querySelector('button[data-column="metrics.m049"]'));
          return document.querySelector('[role=row][data-position="0"]')?.querySelectorAll('[role=gridcell]')[at]?.textContent || false;
        }, undefined, WAIT);
      assert.match(await (await cellText()).jsonValue(), /^-?\d/);
      // Pinned cells stay at the left edge, under their header, scrolled as far right as the grid goes.
      const left = (selector: string) => h.page.locator(selector).first().evaluate((el) => Math.round(el.getBoundingClientRect().left - el.closest('.xp-grid')!.getBoundingClientRect().left));
      await h.page.waitForFunction(() => document.querySelector('.xp-grid')!.scrollLeft > 1000, undefined, WAIT);
      assert.equal(await left('[role=row][data-position="0"] .xp-pin'), 0);
      assert.equal(await left('.xp-header .xp-pin'), 0);
      assert.equal(await left('.xp-group-label'), 0);
      assert.ok(asked.length > 0, 'the newly visible columns were asked for');
      for (const a of asked) {
        assert.ok(a.columns.length < 30, `${a.columns.length} columns asked for at once, of ~110`);
        assert.ok(!a.columns.includes('id') && !a.columns.includes('starred'), 'pinned columns, already there, are not asked for again');
      }
    } finally {
      ch.host.receive = receive;
      await h.page.locator('.xp-grid').evaluate((el) => (el.scrollLeft = 0));
    }
    assert.deepEqual(h.errors, []);
  });

  test('a header click sorts; shift-click adds a second key', async () => {
    // Grouping keeps flows apart; turn it off to see one sorted list.
    await h.page.getByText('Group by flow').click();
    await h.page.waitForSelector('.xp-group', { state: 'detached', ...WAIT });
    // Far right among ~100 columns, so not in the DOM: pin it from the columns menu.
    assert.equal(await h.page.locator('button[data-column="metrics.auc"]').count(), 0);
    await h.page.getByText('Columns…').click();
    await h.page.getByLabel('Find a column').fill('metrics.auc');
    await h.page.getByLabel('Pin metrics.auc').click();
    await h.page.getByText('Close', { exact: true }).click();
    await h.page.locator('button[data-column="metrics.auc"]').click();
    const expected = [...summaries].sort((a, b) => a.metrics.auc! - b.metrics.auc! || a.start - b.start).slice(0, 200).map((s) => s.id);
    await h.page.waitForFunction((id) => document.querySelector('[role=row][data-position="0"]')?.getAttribute('data-run') === id, expected[0]!, WAIT);
    // The lines rendered below the screen (for a scroll to find) take the new order too, once the one on
    // screen is painted: every row in the DOM shows the run at its position.
    const below = await h.page.waitForFunction((ids) => {
      const bottom = document.querySelector('.xp-grid').getBoundingClientRect().bottom;
      const rows = [...document.querySelectorAll('[role=row][data-position]')];
      const beyond = rows.filter((r) => r.getBoundingClientRect().top >= bottom).length;
      return beyond > 0 && rows.every((r) => r.getAttribute('data-run') === ids[Number(r.getAttribute('data-position'))]) && beyond;
    }, expected, WAIT);
    assert.ok(((await below.jsonValue()) as number) > 5, 'rows rendered below the screen');
    assert.equal(await h.page.locator('[role=columnheader][aria-sort="ascending"]').count(), 1);
    // The status line says the new sort at the click; the rows are the new result's once the grid's version moves.
    const version = await h.page.locator('.xp-grid').getAttribute('data-version');
    await h.page.locator('button[data-column="params.learning_rate"]').click({ modifiers: ['Shift'] });
    await h.page.waitForFunction(() => document.querySelector('.xp-status')?.textContent?.includes('sorted by metrics.auc, params.learning_rate'), undefined, WAIT);
    await h.page.waitForFunction((before) => document.querySelector('.xp-grid')?.getAttribute('data-version') !== before && document.querySelector('[role=row][data-position="0"][data-run]'), version, WAIT);
    const want = [...summaries]
      .sort((a, b) => a.metrics.auc! - b.metrics.auc! || (a.params.learning_rate as number) - (b.params.learning_rate as number))
      .map((s) => [s.metrics.auc, s.params.learning_rate]);
    const ids = await firstRunIds(h.page, 10);
    const byId = new Map(summaries.map((s) => [s.id, s]));
    assert.deepEqual(ids.map((id) => [byId.get(id)!.metrics.auc, byId.get(id)!.params.learning_rate]), want.slice(0, 10));
    assert.deepEqual(h.errors, []);
  });

  test('a typo in the filter is marked where it is; a good filter narrows the rows', async () => {
    const box = h.page.getByLabel('Filter runs');
    await box.fill('metrics.auc > 0.7 and metrics.acu < 3');
    const problem = h.page.locator('.xp-filter-problem');
    await problem.waitFor(WAIT);
    assert.equal(await problem.getAttribute('data-start'), '22');
    assert.match(await problem.innerText(), /^col 23: .*metrics\.acu/);
    assert.equal(await h.page.getByTestId('filter-mark').innerText(), 'metrics.acu');
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    await box.fill('metrics.auc > 0.7 and status = failed');
    const expected = summaries.filter((s) => s.metrics.auc! > 0.7 && s.status === 'failed').length;
    await h.page.waitForFunction((n) => document.querySelector('.xp-status')?.textContent?.startsWith(`${n} of`), expected, WAIT);
    assert.equal(await problem.count(), 0);
    await box.fill('');
    await h.page.waitForFunction((n) => document.querySelector('.xp-status')?.textContent?.startsWith(`${n} of`), RUNS, WAIT);
    assert.deepEqual(h.errors, []);
  });

  test('a star goes to the store and shows on the row', async () => {
    const [id] = await firstRunIds(h.page, 1);
    const star = h.page.locator(`[data-run="${id}"] .xp-star-button`);
    assert.equal(await star.getAttribute('aria-pressed'), 'false');
    await star.click();
    await h.page.waitForSelector(`[data-run="${id}"] .xp-star-button[aria-pressed="true"]`, WAIT);
    assert.ok(ch.starred.has(id!));
    await h.page.locator(`[data-run="${id}"] .xp-star-button`).click();
    await h.page.waitForSelector(`[data-run="${id}"] .xp-star-button[aria-pressed="false"]`, WAIT);
    assert.ok(!ch.starred.has(id!));
  });

  test('keyboard: arrows move, Space and Shift+arrow select, the selection is saved and exported', async () => {
    await h.page.locator('.xp-grid').focus();
    await h.page.keyboard.press('Home');
    await h.page.keyboard.press('ArrowDown');
    await h.page.keyboard.press('Space');
    await h.page.keyboard.press('Shift+ArrowDown');
    await h.page.waitForFunction(() => document.querySelectorAll('[role=row][aria-selected="true"]').length === 2, undefined, WAIT);
    await h.page.waitForFunction(() => (window as unknown as { __flowbenchState?: { selected: string[] } }).__flowbenchState?.selected.length === 2, undefined, WAIT);
    const ids = await firstRunIds(h.page, 3);
    const saved = (await h.page.evaluate(() => (window as unknown as { __flowbenchState: { selected: string[] } }).__flowbenchState.selected)).slice().sort();
    assert.deepEqual(saved, [ids[1], ids[2]].sort());
    assert.equal(await h.page.locator('.xp-grid').getAttribute('aria-activedescendant'), `run-${ids[2]}`);
    await h.page.getByText('Export CSV').click();
    await waitFor(() => ch.csv.length === 1);
    const lines = ch.csv[0]!.trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^id,/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]).sort(), saved);
    await h.page.locator('.xp-grid').focus();
    await h.page.keyboard.press('Escape');
    await h.page.waitForFunction(() => document.querySelectorAll('[role=row][aria-selected="true"]').length === 0, undefined, WAIT);
  });

  test('row actions go to the host; delete asks first and the row goes', async () => {
    await h.page.locator('.xp-grid').focus();
    await h.page.keyboard.press('Home');
    const [id] = await firstRunIds(h.page, 1);
    await h.page.keyboard.press('r');
    await h.page.getByText('Copy id').click();
    await waitFor(() => ch.actions.includes(`copyId ${id}`));
    assert.ok(ch.actions.includes(`rerun ${id}`));
    await h.page.locator('.xp-grid').focus();
    await h.page.keyboard.press('Delete');
    await h.page.waitForFunction((n) => document.querySelector('.xp-status')?.textContent?.startsWith(`${n} of ${n}`), RUNS - 1, WAIT);
    assert.ok(ch.actions.includes(`confirm-delete ${id}`));
    assert.equal(await h.page.locator(`[data-run="${id}"]`).count(), 0);
    assert.deepEqual(h.errors, []);
  });

  test('a live metric value repaints its row in place', async () => {
    const [id] = await firstRunIds(h.page, 1);
    ch.controller().liveMetric(id!, 'auc', 0.123456);
    await h.page.waitForFunction((id) => document.querySelector(`[data-run="${id}"]`)?.textContent?.includes('0.1235'), id, WAIT);
    assert.deepEqual(ch.errors, []);
  });
});

describe('experiments panel restored', () => {
  test('a saved view state comes back: filter, selection, hidden columns', async () => {
    const summaries = generateSummaries(300);
    const selected = [summaries[299]!.id];
    const { h } = await open(summaries, { state: { filter: 'status = failed', selected, hidden: ['code'], groupByFlow: false } });
    try {
      const failed = summaries.filter((s) => s.status === 'failed').length;
      await h.page.waitForFunction((n) => document.querySelector('.xp-status')?.textContent?.startsWith(`${n} of 300 runs · 1 selected`), failed, WAIT);
      assert.equal(await h.page.getByLabel('Filter runs').inputValue(), 'status = failed');
      assert.equal(await h.page.locator('button[data-column="code"]').count(), 0);
      assert.equal(await h.page.locator(`[data-run="${selected[0]}"][aria-selected="true"]`).count(), 1);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });
});

describe('experiments panel: values JSON cannot carry', () => {
  test('NaN and infinite metrics read NaN and ∞, not blank like a missing one', async () => {
    const summaries = generateSummaries(4);
    // NaN as the store writes it (JSON null), infinities as a reader may hand them over; run 3 has no auc.
    summaries[0]!.metrics.auc = JSON.parse(JSON.stringify(NaN)) as number;
    summaries[1]!.metrics.auc = Infinity;
    summaries[2]!.metrics.auc = -Infinity;
    delete summaries[3]!.metrics.auc;
    const ch = controllerHost(summaries);
    // Messages cross as JSON text, as VS Code's postMessage sends them.
    const state = { pinned: ['starred', 'id', 'metrics.auc'], groupByFlow: false, sort: [{ column: 'start', descending: false }], filter: '' };
    const h = await openHarness(ENTRY, { host: ch.host, state, jsonMessages: true });
    try {
      await h.page.waitForSelector('[role=row][data-position="3"][data-run]', WAIT);
      const column = await h.page.$$eval('[role=columnheader]', (heads) => heads.findIndex((el) => (el as unknown as { querySelector(s: string): unknown }).querySelector('button[data-column="metrics.auc"]')));
      assert.ok(column > 0, 'the auc column is on screen');
      const auc = (position: number) =>
        h.page.$eval(`[role=row][data-position="${position}"]`, (row, column) => (row as unknown as { querySelectorAll(s: string): { textContent: string }[] }).querySelectorAll('[role=gridcell]')[column]!.textContent, column);
      assert.deepEqual([await auc(0), await auc(1), await auc(2), await auc(3)], ['NaN', '∞', '-∞', '']);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });
});

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
