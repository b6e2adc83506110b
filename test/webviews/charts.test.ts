// The chart wrappers in Chromium under the panels' CSP: what they draw, how they react, what they export.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openHarness, type Harness } from './harness';
import { brushFilter } from '../../webviews/charts/brush';
import { toCsv } from '../../webviews/charts/csv';
import { parseFilter } from '../../core/runs/query';
import { RunTable } from '../../core/runs/table';
import type { RunSummary } from '../../core/runs/types';

let h: Harness;
before(async () => {
  h = await openHarness(join(__dirname, 'charts.entry.tsx'));
  await h.page.waitForFunction(() => window.fb?.history.current?.plot && window.fb.scatter.current?.plot && window.fb.parallel.current, null, { timeout: 30_000 });
});
after(() => h?.close());

// What the evaluate callbacks see in the page (this file compiles without the DOM lib; these stay module-local).
declare const window: { fb: any };
declare const document: any;
declare const DOMParser: any;

const plotInfo = () =>
  h.page.evaluate(() => {
    const u = window.fb.history.current.plot;
    return { series: u.series.length - 1, bands: (u.bands ?? []).length, distr: u.scales.y.distr, first: Array.from(u.data[1] as number[]).slice(0, 50), xMin: u.scales.x.min, xMax: u.scales.x.max, strokes: u.series.slice(1).map((s: { _stroke?: string; stroke: unknown }) => (typeof s.stroke === 'function' ? s.stroke(u, 1) : s.stroke)) };
  });

test('history chart: one series per run, drawn in the theme palette', async () => {
  const info = await plotInfo();
  assert.equal(info.series, 5);
  assert.equal(info.strokes[0], 'rgb(55, 148, 255)', 'first run in --vscode-charts-blue');
  assert.equal(info.distr, 1);
  assert.equal(await h.page.locator('.fb-chart').first().locator('.u-legend .u-series').count(), 6, 'legend: x plus five runs');
});

test('history chart: log scale', async () => {
  await h.page.evaluate(() => window.fb.update({ log: true }));
  await h.page.waitForFunction(() => window.fb.history.current.plot?.scales.y.distr === 3, null, { timeout: 10_000 });
  assert.match((await h.page.locator('[role=img][aria-label^="loss"]').getAttribute('aria-label')) ?? '', /log scale/);
  await h.page.evaluate(() => window.fb.update({ log: false }));
  await h.page.waitForFunction(() => window.fb.history.current.plot?.scales.y.distr === 1, null, { timeout: 10_000 });
});

test('history chart: EMA smoothing changes the drawn values and damps their wiggle', async () => {
  const raw = (await plotInfo()).first;
  await h.page.evaluate(() => window.fb.update({ smoothing: 0.9 }));
  await h.page.waitForFunction((first) => window.fb.history.current.plot.data[1][10] !== first, raw[10], { timeout: 10_000 });
  const smooth = (await plotInfo()).first;
  const wiggle = (v: number[]) => v.slice(1).reduce((s, y, i) => s + Math.abs(y - v[i]), 0);
  assert.notDeepEqual(smooth, raw);
  assert.ok(wiggle(smooth) < wiggle(raw) / 2, `smoothed path length ${wiggle(smooth)} vs raw ${wiggle(raw)}`);
  assert.equal(smooth[0], raw[0], 'debiased: the first value is unchanged');
  await h.page.evaluate(() => window.fb.update({ smoothing: 0 }));
});

test('history chart: grouping by a param draws each group mean with a min/max band', async () => {
  await h.page.evaluate(() => window.fb.update({ grouped: true }));
  await h.page.waitForFunction(() => window.fb.history.current.plot?.bands?.length === 2, null, { timeout: 10_000 });
  const info = await plotInfo();
  assert.equal(info.series, 6, 'adam and sgd: mean, min and max each');
  const labels = await h.page.locator('.u-legend .u-series .u-label').allTextContents();
  assert.ok(labels.includes('adam (3 runs)') && labels.includes('sgd (2 runs)'), labels.join('|'));
  await h.page.evaluate(() => window.fb.update({ grouped: false }));
  await h.page.waitForFunction(() => window.fb.history.current.plot?.series.length === 6 && !window.fb.history.current.plot.bands?.length, null, { timeout: 10_000 });
});

test('history chart: keyboard zoom asks for buckets of the visible range, reset asks for everything', async () => {
  const plot = h.page.locator('[role=img][aria-label^="loss"]');
  await plot.focus();
  await h.page.keyboard.press('+');
  await h.page.waitForFunction(() => window.fb.ranges.length === 1, null, { timeout: 10_000 });
  const [range] = await h.page.evaluate(() => window.fb.ranges);
  assert.ok(range[0] > 0 && range[1] < 1999 && range[0] < range[1], `zoomed range ${range}`);
  // The new buckets cover the zoomed range at full resolution and the view stays where the user put it.
  await h.page.waitForFunction((r) => {
    const u = window.fb.history.current.plot;
    return u.data[0][1] >= r[0] - 2 && u.scales.x.min === r[0];
  }, range, { timeout: 10_000 });
  await h.page.keyboard.press('ArrowRight');
  await h.page.waitForFunction(() => window.fb.ranges.length === 2, null, { timeout: 10_000 });
  const panned = (await h.page.evaluate(() => window.fb.ranges))[1];
  assert.ok(panned[0] > range[0] && Math.abs(panned[1] - panned[0] - (range[1] - range[0])) < 1e-6, `panned ${panned}`);
  await h.page.keyboard.press('0');
  await h.page.waitForFunction(() => window.fb.ranges.length === 3, null, { timeout: 10_000 });
  assert.equal((await h.page.evaluate(() => window.fb.ranges))[2], undefined);
  await h.page.waitForFunction(() => window.fb.history.current.plot.scales.x.max >= 1990, null, { timeout: 10_000 });
});

test('history chart: Ctrl+wheel zooms around the cursor, double-click goes back to everything', async () => {
  const box = (await h.page.locator('[role=img][aria-label^="loss"] .u-over').boundingBox())!;
  const before = await h.page.evaluate(() => window.fb.ranges.length);
  await h.page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await h.page.keyboard.down('Control');
  await h.page.mouse.wheel(0, -100);
  await h.page.keyboard.up('Control');
  await h.page.waitForFunction((n) => window.fb.ranges.length === n + 1, before, { timeout: 10_000 });
  const range = (await h.page.evaluate(() => window.fb.ranges))[before];
  assert.ok(range[1] - range[0] < 1999 * 0.9 && range[0] > 0, `zoomed to ${range}`);
  await h.page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await h.page.waitForFunction((n) => window.fb.ranges.length === n + 2, before, { timeout: 10_000 });
  assert.equal((await h.page.evaluate(() => window.fb.ranges))[before + 1], undefined);
});

test('scatter: one point per run on the param axis, log when the param spans decades', async () => {
  const data = await h.page.evaluate(() => window.fb.scatter.current.plot.data.map((d: number[]) => Array.from(d)));
  assert.equal(await h.page.evaluate(() => window.fb.scatter.current.plot.scales.x.distr), 3);
  assert.deepEqual(data[0], [0.0001, 0.001, 0.003, 0.01, 0.1]);
  assert.equal(data[1].length, 5);
});

test('parallel coordinates: a brush set from the keyboard form yields the filter expression', async () => {
  await h.page.getByLabel('Brush from').fill('0.001');
  await h.page.getByLabel('Brush to').fill('0.01');
  await h.page.getByRole('button', { name: 'Apply' }).click();
  await h.page.waitForFunction(() => window.fb.filters.length === 1, null, { timeout: 10_000 });
  assert.deepEqual(await h.page.evaluate(() => window.fb.filters), ['params.lr >= 0.001 and params.lr <= 0.01']);
  await h.page.getByRole('button', { name: 'Clear' }).click();
  await h.page.waitForFunction(() => window.fb.filters.length === 2, null, { timeout: 10_000 });
  assert.equal((await h.page.evaluate(() => window.fb.filters))[1], undefined);
});

test('parallel coordinates: dragging a brush with the mouse on two axes filters the lines inside it', async () => {
  const box = (await h.page.locator('[role=img][aria-label^="params → metrics.auc"]').boundingBox())!;
  // Axis 0 (params.lr, log 1e-4 … 1) sits at the parallel's left edge (60 px); its plot runs from 40 px to 290 px.
  const yOf = (lr: number) => box.y + 290 - ((Math.log10(lr) + 4) / 4) * 250;
  await h.page.mouse.move(box.x + 60, yOf(0.0005));
  await h.page.mouse.down();
  await h.page.mouse.move(box.x + 60, yOf(0.005), { steps: 4 });
  await h.page.mouse.move(box.x + 60, yOf(0.05), { steps: 4 });
  await h.page.mouse.up();
  await h.page.waitForFunction(() => window.fb.filters.length === 3, null, { timeout: 10_000 });
  const filter: string = (await h.page.evaluate(() => window.fb.filters))[2];
  const m = /^params\.lr >= ([\d.e-]+) and params\.lr <= ([\d.e-]+)$/.exec(filter);
  assert.ok(m, filter);
  assert.deepEqual(select(filter), ['run-1', 'run-2', 'run-3'], 'the runs whose lines cross the brush');
  // The category axis in the middle: brush "sgd" from the keyboard form, on top of the mouse brush.
  await h.page.getByLabel('Brush', { exact: true }).selectOption('1');
  await h.page.getByLabel('Brush value').selectOption('sgd');
  await h.page.getByRole('button', { name: 'Apply' }).click();
  await h.page.waitForFunction(() => window.fb.filters.length === 4, null, { timeout: 10_000 });
  assert.equal((await h.page.evaluate(() => window.fb.filters))[3], `${filter} and params.optimizer = sgd`);
  assert.deepEqual(select((await h.page.evaluate(() => window.fb.filters))[3]), ['run-1', 'run-3']);
});

test('exports: PNG files start with the PNG signature, SVG files parse', async (t) => {
  const blank = await h.page.context().browser()!.newPage();
  t.after(() => blank.close());
  for (const which of ['history', 'scatter', 'parallel']) {
    const b64: string = await h.page.evaluate((w) => window.fb.png(w), which);
    const bytes = Buffer.from(b64, 'base64');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], which);
    assert.ok(bytes.length > 1000, `${which} PNG has ${bytes.length} bytes`);
    const svg: string = await h.page.evaluate((w) => window.fb.svg(w), which);
    // Parsed in a blank page: a document parsed under the harness's CSP would report ECharts' style attributes.
    const parsed = await blank.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.nodeName, shapes: doc.querySelectorAll('path, circle, polyline, line').length };
    }, svg);
    assert.equal(parsed.error, null, which);
    assert.equal(parsed.root, 'svg', which);
    assert.ok(parsed.shapes > 5, `${which} SVG draws ${parsed.shapes} shapes`);
  }
  await h.page.getByRole('button', { name: 'Export loss as PNG' }).click();
  await h.page.getByRole('button', { name: 'Export loss as SVG' }).click();
  await h.page.waitForFunction(() => window.fb.exports.length === 2, null, { timeout: 10_000 });
  const exported = await h.page.evaluate(() => window.fb.exports);
  assert.deepEqual(exported.map((e: { name: string; mime: string }) => [e.name, e.mime]), [['loss.png', 'image/png'], ['loss.svg', 'image/svg+xml']]);
});

test('theme: switching to a light theme re-reads the colours', async () => {
  await h.page.evaluate(() => {
    document.documentElement.style.setProperty('--vscode-charts-blue', '#1a85ff');
    document.body.className = 'vscode-light';
  });
  await h.page.waitForFunction(() => {
    const u = window.fb.history.current.plot;
    return u && u.series[1].stroke(u, 1) === 'rgb(26, 133, 255)';
  }, null, { timeout: 10_000 });
});

test('no CSP violation or page error while drawing, zooming, brushing and exporting', () => {
  assert.deepEqual(h.errors, []);
});

/** The entry's five runs in the real run table, filtered by `filter` through the real query language. */
function select(filter: string): string[] {
  const lr = [0.0001, 0.001, 0.003, 0.01, 0.1];
  const optimizer = ['adam', 'sgd', 'adam', 'sgd', 'adam'];
  const summaries: RunSummary[] = lr.map((v, i) => ({
    id: `run-${i}`, flow: 'demo', flowFile: '/p/demo.flow.yaml', status: 'succeeded', start: Date.UTC(2026, 0, 1, i), durationMs: 1000,
    params: { lr: v, optimizer: optimizer[i] }, overrides: {}, metrics: { auc: 0.7 + i * 0.05 }, counts: { ran: 1, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 }, code: { dirty: false },
  }));
  const table = RunTable.fromSummaries(summaries);
  const parsed = parseFilter(filter, table.columnKeys());
  assert.deepEqual(parsed.problems, [], filter);
  const view = table.select({ filter: parsed.filter });
  return table.rows(view, 0, view.length, ['id']).map((r) => r.id).sort();
}

test('brushFilter: several intervals and quoted categories, all readable by the query language', () => {
  assert.equal(brushFilter([]), undefined);
  assert.equal(
    brushFilter([{ column: 'params.lr', intervals: [[0.01, 0.001], [0.1, 0.2]] }, { column: 'params.opt', values: ['adam w', '1e-3', 'x"y'] }]),
    '((params.lr >= 0.001 and params.lr <= 0.01) or (params.lr >= 0.1 and params.lr <= 0.2)) and (params.opt = "adam w" or params.opt = 1e-3 or params.opt = "x\\"y")',
  );
  assert.deepEqual(select(brushFilter([{ column: 'params.lr', intervals: [[0.0001, 0.0001], [0.05, 1]] }, { column: 'params.optimizer', values: ['adam'] }])!), ['run-0', 'run-4']);
  // Bounds round outward, so the brushed values stay inside.
  assert.equal(brushFilter([{ column: 'metrics.auc', intervals: [[0.123456789, 0.987654321]] }]), 'metrics.auc >= 0.123456 and metrics.auc <= 0.987655');
});

test('toCsv: RFC 4180 quoting and CRLF records, formula text defused, numbers kept', () => {
  assert.equal(toCsv(['a', 'b'], [['=1+1', -2], ['@x', '+y']]), "a,b\r\n'=1+1,-2\r\n'@x,'+y\r\n");
  assert.equal(toCsv(['id', 'note'], [['a', 'plain'], ['b', 'has, comma'], ['c', 'say "hi"'], ['d', 'two\nlines'], ['e', null], ['f', 1.5]]), 'id,note\r\na,plain\r\nb,"has, comma"\r\nc,"say ""hi"""\r\nd,"two\nlines"\r\ne,\r\nf,1.5\r\n');
});
