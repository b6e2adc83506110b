// CompareView in Chromium under the panels' CSP: side-by-side values, differences only, baseline deltas,
// history charts fed through requestHistories, brushing to a filter, CSV export, keyboard use.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openHarness, type Harness } from './harness';

// What the evaluate callbacks see in the page (this file compiles without the DOM lib; these stay module-local).
declare const window: { fb: any };
declare const document: any;
declare const getComputedStyle: any;

let h: Harness;
before(async () => {
  h = await openHarness(join(__dirname, 'compare.entry.tsx'), { viewport: { width: 1100, height: 900 } });
  await h.page.locator('table.fb-compare-table').waitFor({ timeout: 30_000 });
});
after(() => h?.close());

const rowTexts = () => h.page.locator('.fb-compare-table tbody th[scope=row]').allTextContents();

test('params and metrics side by side, one column per run', async () => {
  const headers = await h.page.locator('.fb-compare-table thead th').allTextContents();
  assert.equal(headers.length, 4);
  assert.match(headers[1], /run 1.*baseline/);
  assert.deepEqual(await rowTexts(), ['params.lr', 'params.optimizer', 'params.seed', 'metrics.auc', 'metrics.loss']);
  const loss = await h.page.locator('.fb-compare-table tbody tr', { hasText: 'metrics.loss' }).locator('td .fb-value').allTextContents();
  assert.deepEqual(loss, ['0.5', '0.4', '—'], 'a missing metric shows as a dash, not a blank');
});

test('differences only hides the rows every run agrees on, from the keyboard', async () => {
  const box = h.page.getByRole('checkbox', { name: 'Differences only' });
  await box.focus();
  await h.page.keyboard.press('Space');
  await h.page.waitForFunction(() => document.querySelectorAll('.fb-compare-table tbody th[scope=row]').length === 4, null, { timeout: 10_000 });
  assert.ok(!(await rowTexts()).includes('params.seed'));
  assert.match((await h.page.locator('.fb-compare-table caption').textContent()) ?? '', /4 of 5 .*differences only/);
  const outline = await box.evaluate((el: any) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await h.page.keyboard.press('Space');
  await h.page.waitForFunction(() => document.querySelectorAll('.fb-compare-table tbody th[scope=row]').length === 5, null, { timeout: 10_000 });
});

test('deltas from the baseline: absolute and %, coloured by direction from the theme', async () => {
  const auc = h.page.locator('.fb-compare-table tbody tr', { hasText: 'metrics.auc' });
  assert.deepEqual(await auc.locator('.fb-delta [aria-hidden=true]').allTextContents(), ['▲ +0.04 (+5%)', '▼ −0.1 (−12.5%)']);
  const [better, worse] = await auc.locator('.fb-delta-mark').evaluateAll((els: any[]) => els.map((e) => getComputedStyle(e).color));
  assert.equal(better, 'rgb(137, 209, 133)', 'higher auc in --vscode-charts-green');
  assert.equal(worse, 'rgb(241, 76, 76)', 'lower auc in --vscode-charts-red');
  assert.equal(await auc.locator('.fb-delta .fb-sr-only').first().textContent(), 'up 0.04, 5 percent from the baseline, better');
  // Lower loss is better.
  const loss = h.page.locator('.fb-compare-table tbody tr', { hasText: 'metrics.loss' }).locator('.fb-delta');
  assert.deepEqual(await loss.evaluateAll((els: any[]) => els.map((e) => e.className)), ['fb-delta fb-delta-better']);

  await h.page.getByLabel('Baseline', { exact: true }).selectOption('r2');
  await h.page.waitForFunction(() => document.querySelector('.fb-compare-table thead th:nth-child(3)')?.textContent?.includes('baseline'), null, { timeout: 10_000 });
  assert.deepEqual(await h.page.evaluate(() => window.fb.baselines), ['r2']);
  assert.deepEqual(await auc.locator('.fb-delta [aria-hidden=true]').allTextContents(), ['▼ −0.04 (−4.8%)', '▼ −0.14 (−16.7%)']);
});

test('history chart per metric key, fed by requestHistories with buckets for its width', async () => {
  await h.page.waitForFunction(() => window.fb.requests.length >= 1 && document.querySelector('[role=img][aria-label^="loss: 3 runs"]'), null, { timeout: 10_000 });
  const [req] = await h.page.evaluate(() => window.fb.requests);
  assert.deepEqual(req.runIds, ['r1', 'r2', 'r3']);
  assert.equal(req.key, 'loss');
  assert.equal(req.x, 'step');
  assert.ok(req.buckets >= 100 && req.buckets <= 1200, `${req.buckets} buckets`);
  assert.equal(req.range, undefined);
  await h.page.getByLabel('X axis').selectOption('relative');
  await h.page.waitForFunction(() => window.fb.requests.some((r: { x: string }) => r.x === 'relative'), null, { timeout: 10_000 });
  await h.page.waitForFunction(() => document.querySelector('[role=img][aria-label*="seconds since start"]'), null, { timeout: 10_000 });
  await h.page.getByLabel('Group by').selectOption('params.optimizer');
  await h.page.waitForFunction(() => document.querySelector('[role=img][aria-label$="grouped"]'), null, { timeout: 10_000 });
  const legend = await h.page.locator('.fb-history .u-legend .u-label').allTextContents();
  assert.ok(legend.includes('optimizer=adam (2 runs)') && legend.includes('optimizer=sgd (1 runs)'), legend.join('|'));
});

test('charts far below the viewport ask for their histories only when scrolled near', async () => {
  const asked = () => h.page.evaluate(() => [...new Set(window.fb.requests.map((r: { key: string }) => r.key))]);
  assert.ok(!(await asked()).includes('lr'), `asked up front: ${await asked()}`);
  await h.page.locator('.fb-history').last().scrollIntoViewIfNeeded();
  await h.page.waitForFunction(() => window.fb.requests.some((r: { key: string }) => r.key === 'lr'), null, { timeout: 10_000 });
  assert.equal(await h.page.locator('.fb-history').count(), 6);
});

test('parallel coordinates: brushing an axis sends the filter expression', async () => {
  await h.page.getByLabel('Brush', { exact: true }).selectOption({ label: 'params.lr' });
  await h.page.getByLabel('Brush from').fill('0.001');
  await h.page.getByLabel('Brush to').fill('0.01');
  await h.page.getByRole('button', { name: 'Apply' }).click();
  await h.page.waitForFunction(() => window.fb.filters.length === 1, null, { timeout: 10_000 });
  assert.deepEqual(await h.page.evaluate(() => window.fb.filters), ['params.lr >= 0.001 and params.lr <= 0.01']);
  const title = await h.page.locator('.fb-chart-title', { hasText: 'Params →' }).textContent();
  assert.equal(title, 'Params → metrics.auc');
});

test('CSV export of the table', async () => {
  await h.page.getByRole('button', { name: 'Export comparison CSV' }).click();
  await h.page.waitForFunction(() => window.fb.exports.length === 1, null, { timeout: 10_000 });
  const [csv] = await h.page.evaluate(() => window.fb.exports);
  assert.equal(csv.name, 'compare.csv');
  assert.equal(csv.mime, 'text/csv');
  const lines = csv.data.split('\r\n');
  assert.equal(lines[0], 'key,run 1,run 2,run 3');
  assert.ok(lines.includes('metrics.loss,0.5,0.4,'), lines.join('|'));
});

test('no CSP violation or page error', () => {
  assert.deepEqual(h.errors, []);
});
