// NaN and ±Infinity in the compare view, through the panel's real host controller and messages that cross as
// JSON text, as VS Code's postMessage sends them (JSON alone turns NaN and ±Infinity into null, a missing
// value): the side-by-side values and the deltas read "NaN", "∞", "-∞" as the runs table does, "—" stays for a
// missing value only, and the comparison CSV keeps them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openHarness, type Harness } from './harness';
import { controllerHost, type ControllerHost } from './experiments-host';
import { generateSummaries } from './runs';

declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ENTRY = join(__dirname, '../../webviews/experiments/index.tsx');
const WAIT = { timeout: 30_000 };
const summaries = generateSummaries(3, 3, 2).map((s, i) => ({
  ...s,
  flow: 'train',
  params: { ...s.params, p002: [7, Number.NaN, 7][i] },
  metrics: (
    [
      { auc: 0.5, loss: 2, gain: 1 },
      { auc: Number.NaN, loss: Number.POSITIVE_INFINITY, gain: Number.NEGATIVE_INFINITY },
      { auc: 0.5, loss: 2 },
    ] as Record<string, number>[]
  )[i]!,
}));

let h: Harness;
let ch: ControllerHost;
before(async () => {
  ch = controllerHost(summaries);
  h = await openHarness(ENTRY, { host: ch.host, jsonMessages: true, viewport: { width: 1200, height: 1200 } });
  await h.page.waitForSelector('[role=row][data-position="2"][data-run]', WAIT);
  // Selected in run order, so the compare view's columns are runs 0, 1, 2 and the baseline is run 0.
  for (const s of summaries) await h.page.locator(`[role=row][data-run="${s.id}"] input[type=checkbox]`).click();
  await h.page.waitForFunction(() => document.querySelectorAll('.fb-compare-table thead th').length === 4, undefined, WAIT);
});
after(() => h?.close());

const rowOf = (key: string) => h.page.locator('.fb-compare-table tbody tr').filter({ has: h.page.locator('th[scope=row]', { hasText: new RegExp(`^${key.replace('.', '\\.')}$`) }) });
const values = (key: string) => rowOf(key).locator('td .fb-value').allTextContents();
const deltas = (key: string) => rowOf(key).locator('.fb-delta [aria-hidden=true]').allTextContents();

test('side by side: NaN, ∞ and -∞ as the table shows them; a missing metric stays a dash', async () => {
  assert.deepEqual(await values('metrics.auc'), ['0.5', 'NaN', '0.5']);
  assert.deepEqual(await values('metrics.loss'), ['2', '∞', '2']);
  assert.deepEqual(await values('metrics.gain'), ['1', '-∞', '—']);
  assert.deepEqual(await values('params.p002'), ['7', 'NaN', '7']);
  // Non-finite values differ from the baseline's finite ones: "differences only" keeps them.
  assert.deepEqual(await rowOf('metrics.auc').getAttribute('class'), 'fb-differs');
});

test('deltas from the baseline: NaN without a direction, ±∞ with theirs and no percentage', async () => {
  assert.deepEqual(await deltas('metrics.auc'), ['NaN']);
  assert.deepEqual(await deltas('metrics.loss'), ['▲ +∞']);
  assert.deepEqual(await deltas('metrics.gain'), ['▼ −∞']);
  assert.equal(await rowOf('metrics.auc').locator('.fb-delta .fb-sr-only').textContent(), 'not a number from the baseline');
  // Lower loss is better: an infinite loss is worse.
  assert.deepEqual(await rowOf('metrics.loss').locator('.fb-delta').evaluateAll((els: any[]) => els.map((e) => e.className)), ['fb-delta fb-delta-worse']);
});

test('the runs table shows the same markers', async () => {
  const row = h.page.locator(`[role=row][data-run="${summaries[1]!.id}"]`);
  const cells = await row.locator('[role=gridcell]').allTextContents();
  assert.ok(cells.includes('NaN') && cells.includes('-∞'), cells.join('|'));
});

test('the comparison CSV keeps NaN and ±Infinity (a blank is a missing value)', async () => {
  await h.page.getByRole('button', { name: 'Export comparison CSV' }).click();
  const deadline = Date.now() + 10_000;
  while (ch.exports.length === 0 && Date.now() < deadline) await new Promise((tick) => setTimeout(tick, 20));
  const csv = String(ch.exports[0]?.data ?? '');
  assert.match(csv, /\r\nmetrics\.auc,0\.5,NaN,0\.5\r\n/);
  assert.match(csv, /\r\nmetrics\.loss,2,Infinity,2\r\n/);
  assert.match(csv, /\r\nmetrics\.gain,1,-Infinity,\r\n/);
});

test('no CSP violation, page error or host error', () => {
  assert.deepEqual(h.errors, []);
  assert.deepEqual(ch.errors, []);
});
