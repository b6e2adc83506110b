// The compare view inside the experiments panel, against the panel's real host controller in Node: select
// two runs, see their diff and a history chart whose buckets the host downsampled, brush the parallel
// coordinates to filter the table, export a chart through the host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openHarness, type Harness } from './harness';
import { controllerHost, type ControllerHost } from './experiments-host';
import { generateSummaries } from './runs';
import type { MetricPoint } from '../../core/runs/types';

declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const getComputedStyle: any;

const ENTRY = join(__dirname, '../../webviews/experiments/index.tsx');
const WAIT = { timeout: 30_000 };
const summaries = generateSummaries(40, 4, 4);
const POINTS = 5_000;
const histories = Object.fromEntries(
  summaries.map((s, r) => [s.id, { loss: Array.from({ length: POINTS }, (_, i): MetricPoint => ({ index: i, value: 1 / (1 + i * 0.001 * (r + 1)), time: s.start + i * 100 })) }]),
);

/** Waits for a condition on the host side (what the page posted has arrived), at most 10 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the host');
    await new Promise((tick) => setTimeout(tick, 20));
  }
}

let h: Harness;
let ch: ControllerHost;
before(async () => {
  ch = controllerHost(summaries, { histories });
  h = await openHarness(ENTRY, { host: ch.host, viewport: { width: 1200, height: 1400 } });
  await h.page.waitForSelector('[role=row][data-run]', WAIT);
});
after(() => h?.close());

test('two selected runs: the diff side by side and a history chart of host-downsampled buckets', async () => {
  await h.page.locator('.xp-grid').focus();
  await h.page.keyboard.press('Space');
  await h.page.keyboard.press('Shift+ArrowDown');
  await h.page.waitForFunction(() => document.querySelectorAll('.fb-compare-table thead th').length === 3, undefined, WAIT);
  const headers = await h.page.locator('.fb-compare-table thead th').allTextContents();
  assert.equal(headers.length, 3, headers.join('|'));
  const rows = await h.page.locator('.fb-compare-table tbody th[scope=row]').allTextContents();
  assert.ok(rows.includes('params.learning_rate') && rows.includes('metrics.auc'), rows.join('|'));
  await h.page.waitForSelector('[role=img][aria-label^="loss: 2 runs"]', WAIT);
  const drawn = await h.page.locator('.fb-history .u-legend .u-series').count();
  assert.equal(drawn, 3, 'x and two runs');
  assert.equal(await h.page.locator('.fb-history').count(), 1, 'one chart: the one metric with a history');
  // The view loads lazily; its styles still come with the panel's stylesheet.
  assert.equal(await h.page.locator('.fb-chart-title').first().evaluate((el) => getComputedStyle(el).fontWeight), '600');
});

test('brushing the parallel coordinates filters the table through the host', async () => {
  const before = await h.page.locator('.xp-status').innerText();
  assert.match(before, /^40 of 40 runs/);
  await h.page.getByLabel('Brush', { exact: true }).selectOption({ label: 'params.learning_rate' });
  await h.page.getByLabel('Brush from').fill('0.001');
  await h.page.getByLabel('Brush to').fill('0.001');
  await h.page.getByRole('button', { name: 'Apply' }).click();
  // generateSummaries cycles learning_rate over 0.001, 0.003, 0.01, 0.03: a quarter of the runs stay.
  await h.page.waitForFunction(() => /^10 of 40 runs/.test(document.querySelector('.xp-status')?.textContent ?? ''), undefined, WAIT);
  assert.match(await h.page.locator('.xp-status').innerText(), /brushed: params\.learning_rate >= 0\.001 and params\.learning_rate <= 0\.001/);
  await h.page.getByRole('button', { name: 'Clear' }).click();
  await h.page.waitForFunction(() => /^40 of 40 runs/.test(document.querySelector('.xp-status')?.textContent ?? ''), undefined, WAIT);
});

test('a chart exported as PNG reaches the host as PNG bytes; the comparison as CSV text', async () => {
  await h.page.getByRole('button', { name: 'Export loss as PNG' }).click();
  await h.page.getByRole('button', { name: 'Export comparison CSV' }).click();
  await until(() => ch.exports.length === 2);
  const [png, csv] = ch.exports;
  assert.equal(png.name, 'loss.png');
  assert.ok(png.data instanceof Uint8Array);
  assert.deepEqual([...png.data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(csv.mime, 'text/csv');
  assert.match(String(csv.data), /^key,/);
});

test('no CSP violation, page error or host error', () => {
  assert.deepEqual(h.errors, []);
  assert.deepEqual(ch.errors, []);
});
