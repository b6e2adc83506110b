import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilter, parseSort } from '../../core/runs/query';
import { openRunStore } from '../../core/runs/store';
import { describeSkipped, MAX_COLUMNS, RunTable } from '../../core/runs/table';
import type { RunSummary } from '../../core/runs/types';
import { fakeRun } from './fake-run';

function summary(id: string, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id, flow: 'demo', flowFile: '/p/demo.flow.yaml', status: 'succeeded', start: Date.UTC(2026, 10, 24, 10), durationMs: 5000,
    params: {}, overrides: {}, metrics: {}, counts: { ran: 1, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 },
    code: { commit: 'abc123', dirty: false }, ...over,
  };
}

const runs = [
  summary('r1', { params: { lr: 0.1, model: 'gbm' }, metrics: { auc: 0.71 } }),
  summary('r2', { params: { lr: 0.01, model: 'linear' }, metrics: { auc: 0.9 }, status: 'failed' }),
  summary('r3', { params: { lr: 0.001, model: 'gbm' }, metrics: { auc: 0.65, loss: 0.3 } }),
  summary('r4', { params: { lr: 0.01, model: 'gbm' }, metrics: {} }),
];

function ids(table: RunTable, filter = '', sort = ''): string[] {
  const cols = table.columnKeys();
  const f = parseFilter(filter, cols);
  const s = parseSort(sort, cols);
  assert.deepEqual([...f.problems, ...s.problems], []);
  const view = table.select({ filter: f.filter, sort: s.keys });
  assert.ok(view instanceof Int32Array);
  return table.rows(view, 0, view.length, ['id']).map((r) => r.id);
}

test('filters on params, metrics and info columns', () => {
  const t = RunTable.fromSummaries(runs);
  assert.equal(t.size, 4);
  assert.deepEqual(ids(t), ['r1', 'r2', 'r3', 'r4']);
  assert.deepEqual(ids(t, 'metrics.auc > 0.7 and params.lr < 0.05 and status = succeeded'), []);
  assert.deepEqual(ids(t, 'metrics.auc > 0.7'), ['r1', 'r2']);
  assert.deepEqual(ids(t, 'params.model = gbm and not metrics.auc < 0.7'), ['r1', 'r4'], 'a missing metric is not < 0.7');
  assert.deepEqual(ids(t, 'metrics.loss = null'), ['r1', 'r2', 'r4']);
  assert.deepEqual(ids(t, 'metrics.loss != null'), ['r3']);
  assert.deepEqual(ids(t, 'metrics.auc != 0.9'), ['r1', 'r3', 'r4'], '!= is not =');
  assert.deepEqual(ids(t, 'params.model ~ LIN or status = failed'), ['r2']);
  assert.deepEqual(ids(t, 'params.model !~ b'), ['r2']);
  assert.deepEqual(ids(t, 'params.model > h'), ['r2'], 'text compares with text');
  assert.deepEqual(ids(t, 'params.model > 3'), [], 'text never compares with a number');
  assert.deepEqual(ids(t, 'code = abc123 and duration >= 5s and start >= 2026-11-24'), ['r1', 'r2', 'r3', 'r4']);
  assert.deepEqual(ids(t, 'start > 2026-11-25'), []);
});

test('a filter parsed without the column list may name a column the table lacks: no run has it', () => {
  const t = RunTable.fromSummaries(runs);
  const { filter } = parseFilter('metrics.nope > 1 or metrics.nope = null');
  assert.equal(t.select({ filter }).length, 4);
});

test('sorts by several keys, stable, missing values last in both directions', () => {
  const t = RunTable.fromSummaries(runs);
  assert.deepEqual(ids(t, '', 'metrics.auc'), ['r3', 'r1', 'r2', 'r4']);
  assert.deepEqual(ids(t, '', 'metrics.auc desc'), ['r2', 'r1', 'r3', 'r4']);
  assert.deepEqual(ids(t, '', 'params.model, params.lr desc'), ['r1', 'r4', 'r3', 'r2']);
  assert.deepEqual(ids(t, '', 'params.model desc'), ['r2', 'r1', 'r3', 'r4'], 'ties keep row order');
  assert.deepEqual(ids(t, 'params.model = gbm', 'params.lr'), ['r3', 'r4', 'r1']);
});

test('NaN and text metrics show as such and sort after numbers, never crash', () => {
  const t = RunTable.fromSummaries([
    summary('a', { metrics: { auc: 0.5 } }),
    // JSON writes NaN as null: a null metric is NaN.
    summary('b', { metrics: { auc: null as unknown as number } }),
    summary('c', { metrics: { auc: 'n/a' as unknown as number } }),
    summary('d', { metrics: { auc: 0.9 } }),
    summary('e', { metrics: { auc: NaN } }),
    summary('f'),
  ]);
  const auc = t.columns().find((c) => c.key === 'metrics.auc');
  assert.deepEqual(auc, { key: 'metrics.auc', group: 'metric', type: 'mixed', differs: true });
  assert.deepEqual(ids(t, '', 'metrics.auc'), ['a', 'd', 'c', 'b', 'e', 'f']);
  assert.deepEqual(ids(t, '', 'metrics.auc desc'), ['d', 'a', 'c', 'b', 'e', 'f']);
  const cells = t.rows(t.select({}), 0, 6, ['metrics.auc']).map((r) => r.cells[0]);
  assert.deepEqual(cells, [0.5, NaN, 'n/a', 0.9, NaN, null]);
  assert.deepEqual(ids(t, 'metrics.auc = NaN'), ['b', 'e']);
  assert.deepEqual(ids(t, 'metrics.auc > 0'), ['a', 'd']);
  assert.deepEqual(ids(t, 'metrics.auc ~ N/A'), ['c']);
});

test('columns: info first, then params and metrics by name, with types and differs', () => {
  const t = RunTable.fromSummaries(runs);
  const cols = t.columns();
  assert.deepEqual(cols.map((c) => c.key), [
    'id', 'flow', 'status', 'start', 'duration', 'code', 'overrides', 'starred', 'sweep', 'source',
    'params.lr', 'params.model', 'metrics.auc', 'metrics.loss',
  ]);
  const byKey = new Map(cols.map((c) => [c.key, c]));
  assert.equal(byKey.get('flow')!.differs, false);
  assert.equal(byKey.get('status')!.differs, true);
  assert.equal(byKey.get('metrics.loss')!.differs, true, 'present in one run only');
  assert.equal(byKey.get('params.model')!.type, 'string');
  assert.equal(byKey.get('params.lr')!.type, 'number');
  assert.equal(byKey.get('params.lr')!.group, 'param');
  // Over a view: the gbm runs with lr 0.01 and 0.1 still differ in lr, not in model.
  const view = t.select({ filter: parseFilter('params.model = gbm').filter });
  const inView = new Map(t.columns(view).map((c) => [c.key, c.differs]));
  assert.equal(inView.get('params.model'), false);
  assert.equal(inView.get('params.lr'), true);
});

test('info cells: start and duration as numbers, code with -dirty, overrides as name=value, starred', () => {
  const t = RunTable.fromSummaries([
    summary('x', { overrides: { lr: 0.5, model: 'a b' }, code: { commit: 'def', dirty: true } }),
    summary('y', { code: { dirty: false }, durationMs: undefined, status: 'running' }),
  ], new Set(['y']));
  const rows = t.rows(t.select({}), 0, 2, ['start', 'duration', 'code', 'overrides', 'starred', 'sweep', 'nonsense']);
  assert.deepEqual(rows, [
    { id: 'x', cells: [Date.UTC(2026, 10, 24, 10), 5000, 'def-dirty', 'lr=0.5 model=a b', false, null, null] },
    { id: 'y', cells: [Date.UTC(2026, 10, 24, 10), null, null, null, true, null, null] },
  ]);
  assert.deepEqual(ids(t, 'starred = true'), ['y']);
  t.setStarred('x', true);
  t.setStarred('y', false);
  assert.deepEqual(ids(t, 'starred = true'), ['x']);
});

test('params that are lists or objects show as JSON, booleans as booleans', () => {
  const t = RunTable.fromSummaries([summary('a', { params: { layers: [64, 32], opt: { name: 'adam' }, norm: true } })]);
  assert.deepEqual(t.rows([0], 0, 1, ['params.layers', 'params.opt', 'params.norm'])[0].cells, ['[64,32]', '{"name":"adam"}', true]);
  assert.deepEqual(ids(t, 'params.norm = true'), ['a']);
});

test('upsert replaces a run in place, dropping what it no longer has; remove keeps other row numbers', () => {
  const t = RunTable.fromSummaries(runs);
  const row = t.rowOf('r3')!;
  assert.equal(t.upsert(summary('r3', { params: { lr: 0.5 }, metrics: { auc: 0.99 }, status: 'running' })), row);
  assert.deepEqual(t.rows([row], 0, 1, ['params.lr', 'params.model', 'metrics.auc', 'metrics.loss', 'status'])[0].cells, [0.5, null, 0.99, null, 'running']);
  assert.equal(t.columns().some((c) => c.key === 'metrics.loss'), false, 'a column nobody has any more is not listed');
  assert.deepEqual(ids(t, '', 'metrics.auc desc'), ['r3', 'r2', 'r1', 'r4']);

  const before = t.select({});
  assert.equal(t.remove('r2'), true);
  assert.equal(t.remove('r2'), false);
  assert.equal(t.size, 3);
  assert.equal(t.rowOf('r2'), undefined);
  assert.equal(t.rowOf('r4'), 3, 'row numbers do not move');
  assert.deepEqual(t.rows(before, 0, 4, ['id']).map((r) => r.id), ['r1', 'r3', 'r4'], 'a stale view skips the removed run');
  assert.deepEqual(ids(t, 'status = failed'), []);
  assert.equal(t.run(before[1]), undefined);

  const added = t.upsert(summary('r5', { metrics: { auc: 0.8 } }), true);
  assert.equal(added, 4);
  assert.deepEqual(ids(t, 'starred = true'), ['r5']);
  assert.deepEqual(t.run(added), { id: 'r5', flow: 'demo', status: 'succeeded', params: {}, metrics: { auc: 0.8 } });
});

test('upsert keeps a star unless told otherwise', () => {
  const t = RunTable.fromSummaries(runs, new Set(['r1']));
  t.upsert(summary('r1', { status: 'failed' }));
  assert.deepEqual(ids(t, 'starred = true'), ['r1']);
  t.upsert(summary('r1'), false);
  assert.deepEqual(ids(t, 'starred = true'), []);
});

test('grows past its first capacity and keeps every value', () => {
  const t = RunTable.fromSummaries([]);
  for (let i = 0; i < 1000; i++) t.upsert(summary(`r${i}`, { params: { i }, metrics: i % 2 ? { odd: i } : {} }));
  assert.equal(t.size, 1000);
  assert.deepEqual(t.rows(t.select({ sort: [{ column: 'params.i', descending: true }] }), 0, 2, ['params.i', 'metrics.odd']).map((r) => r.cells), [[999, 999], [998, null]]);
  assert.equal(t.select({ filter: parseFilter('metrics.odd >= 0').filter }).length, 500);
});

test('rows windows clamp to the view and ignore rows that do not exist', () => {
  const t = RunTable.fromSummaries(runs);
  const view = t.select({});
  assert.deepEqual(t.rows(view, 2, 10, ['id']).map((r) => r.id), ['r3', 'r4']);
  assert.deepEqual(t.rows(view, -5, 1, ['id']).map((r) => r.id), ['r1']);
  assert.deepEqual(t.rows([99, -1, 0.5], 0, 3, ['id']), []);
});

test('hand-edited summaries: shows what it can and says what it skipped', () => {
  const bad = [
    summary('ok', { metrics: { auc: 0.5 } }),
    { flow: 'demo', start: 1 },
    null,
    42,
    { id: '', start: 1 },
    { id: 'no-start', params: 'lr=0.1', metrics: [1, 2] },
    summary('weird', { start: 'yesterday' as unknown as number, params: { lr: 0.1 } }),
  ] as unknown as RunSummary[];
  const t = RunTable.fromSummaries(bad);
  assert.deepEqual(ids(t), ['ok', 'no-start', 'weird']);
  const report = t.skipped();
  assert.equal(report.runs, 4);
  assert.equal(report.values, 4);
  assert.equal(report.columns, 0);
  assert.ok(report.examples.includes('run no-start: params is not an object'), report.examples.join('\n'));
  assert.ok(report.examples.includes('run no-start: metrics is not an object'));
  assert.ok(report.examples.includes('run weird: start time is not a number'));
  assert.deepEqual(t.rows([t.rowOf('weird')!], 0, 1, ['start', 'params.lr'])[0].cells, [null, 0.1]);
  assert.deepEqual(ids(t, '', 'start'), ['ok', 'no-start', 'weird'], 'missing start sorts last');
  assert.equal(describeSkipped(report), 'skipped 4 unreadable runs, 4 unreadable values (a run summary without an id was skipped, …)');
  assert.equal(describeSkipped(RunTable.fromSummaries(runs).skipped()), undefined);
});

test('1,000 columns all show; past MAX_COLUMNS the rest are skipped and counted', () => {
  const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${String(i).padStart(4, '0')}`, i]));
  const t = RunTable.fromSummaries([summary('a', { params: wide, metrics: wide }), summary('b', { params: { p0000: 1 } })]);
  const cols = t.columns();
  assert.equal(cols.filter((c) => c.group !== 'info').length, 1000);
  assert.equal(cols.filter((c) => c.differs).length, 1000 + 1, 'every param/metric differs, and so does id');
  assert.deepEqual(t.skipped().columns, 0);

  const huge = Object.fromEntries(Array.from({ length: MAX_COLUMNS + 300 }, (_, i) => [`m${i}`, i]));
  const h = RunTable.fromSummaries([summary('a', { metrics: huge }), summary('b', { metrics: huge })]);
  assert.equal(h.columns().filter((c) => c.group === 'metric').length, MAX_COLUMNS);
  const report = h.skipped();
  assert.equal(report.columns, 300, 'each left-out column counted once');
  assert.match(report.examples[0], new RegExp(`column metrics\\.m${MAX_COLUMNS} and any after the first ${MAX_COLUMNS}`));
  assert.match(describeSkipped(report)!, /^skipped 300 columns beyond the first 2,000 \(column metrics/);
  assert.deepEqual(h.rows([0], 0, 1, [`metrics.m${MAX_COLUMNS - 1}`, `metrics.m${MAX_COLUMNS}`])[0].cells, [MAX_COLUMNS - 1, null]);
});

test('through the store: a torn index line and a hand-edited record still give a table of what could be read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-table-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, '.flowbench');
  const warnings: string[] = [];
  const store = openRunStore(state, { warn: (m) => warnings.push(m) });
  const ids = ['20261124-010000-0a01', '20261124-010001-0a02', '20261124-010002-0a03'];
  for (const runId of ids) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId, params: { lr: 0.1 }, metrics: { train: { auc: 0.7 } } })) rec(e);
  }
  // Someone edits a record by hand (a metric becomes text, params a string) and the index is lost.
  const recordFile = join(state, 'runs', ids[1], 'record.json');
  const record = JSON.parse(readFileSync(recordFile, 'utf8'));
  writeFileSync(recordFile, JSON.stringify({ ...record, params: 'lr=0.2', metrics: { auc: 'great', loss: null } }));
  unlinkSync(join(state, 'runs', 'index.jsonl'));
  // And a killed writer leaves a torn line at the end of the rebuilt index.
  await store.list();
  appendFileSync(join(state, 'runs', 'index.jsonl'), '{"id":"20261124-010002-0a03","flow":"de');

  const table = RunTable.fromSummaries(await openRunStore(state, { warn: (m) => warnings.push(m) }).list(), await store.starred());
  assert.equal(table.size, 3);
  const view = table.select({ sort: [{ column: 'metrics.auc', descending: true }] });
  assert.deepEqual(table.rows(view, 0, 3, ['params.lr', 'metrics.auc', 'metrics.loss']), [
    { id: ids[2], cells: [0.1, 0.7, null] },
    { id: ids[0], cells: [0.1, 0.7, null] },
    { id: ids[1], cells: [null, 'great', NaN] },
  ]);
  assert.deepEqual(table.skipped().examples, [`run ${ids[1]}: params is not an object`]);
});

test('text columns sort in code-unit order with few and with many distinct values', () => {
  for (const distinct of [7, 3000]) {
    const names = Array.from({ length: 5000 }, (_, i) => `name-${(i * 7919) % distinct}`);
    const t = RunTable.fromSummaries(names.map((name, i) => summary(`r${i}`, { params: { name } })));
    const got = t.rows(t.select({ sort: [{ column: 'params.name', descending: true }] }), 0, 5000, ['params.name']).map((r) => r.cells[0]);
    assert.deepEqual(got, [...names].sort().reverse(), `${distinct} distinct`);
    const ties = t.rows(t.select({ sort: [{ column: 'params.name', descending: false }] }), 0, 5000, ['params.name']);
    for (let i = 1; i < ties.length; i++) {
      if (ties[i].cells[0] === ties[i - 1].cells[0]) assert.ok(t.rowOf(ties[i].id)! > t.rowOf(ties[i - 1].id)!, 'ties keep row order');
    }
  }
});

/** What sort and filter must agree with: a plain comparator and predicate over the cells. */
function referenceOrder(t: RunTable, keys: { column: string; descending: boolean }[]): string[] {
  const all = t.select({});
  const cells = t.rows(all, 0, all.length, keys.map((k) => k.column));
  const cls = (v: unknown) => (typeof v === 'number' ? (Number.isNaN(v) ? 2 : 0) : v === null ? 3 : 1);
  const text = (v: unknown) => String(v);
  return cells
    .map((row, position) => ({ row, position }))
    .sort((a, b) => {
      for (let k = 0; k < keys.length; k++) {
        const x = a.row.cells[k];
        const y = b.row.cells[k];
        const d = cls(x) - cls(y);
        if (d) return d;
        const sign = keys[k].descending ? -1 : 1;
        if (cls(x) === 0 && (x as number) !== (y as number)) return (x as number) < (y as number) ? -sign : sign;
        if (cls(x) === 1 && text(x) !== text(y)) return text(x) < text(y) ? -sign : sign;
      }
      return a.position - b.position;
    })
    .map(({ row }) => row.id);
}

test('sorts agree with a plain comparator over numbers, -0, Infinity, NaN, text, booleans and missing values', () => {
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = [0, -0, 1, -1, 2.5, Infinity, -Infinity, NaN, null, 'a', 'b', 'B', true, false];
  const summaries = Array.from({ length: 400 }, (_, i) =>
    summary(`r${i}`, {
      start: Date.UTC(2026, 0, 1) + (i % 7) * 1000,
      params: { x: values[Math.floor(next() * values.length)], few: Math.floor(next() * 3) },
      metrics: next() < 0.1 ? {} : { m: next() < 0.1 ? NaN : Math.round(next() * 20) / 4 },
    }),
  );
  const t = RunTable.fromSummaries(summaries);
  for (const keys of [
    [{ column: 'params.x', descending: false }],
    [{ column: 'params.x', descending: true }],
    [{ column: 'params.few', descending: true }, { column: 'metrics.m', descending: false }],
    [{ column: 'metrics.m', descending: true }, { column: 'params.x', descending: true }, { column: 'start', descending: false }],
  ]) {
    const view = t.select({ sort: keys });
    assert.deepEqual(t.rows(view, 0, view.length, []).map((r) => r.id), referenceOrder(t, keys), JSON.stringify(keys));
  }
  // Numbers already in row order (as `start` is: rows are added as runs start), ties, -0 and 0 among them,
  // rank as the sorted ones do; one step back anywhere, and the order is still right.
  for (const xs of [[-1, -0, 0, 0, 1, 1, 2.5, Infinity], [-1, 0, 0, 1, 0.5, 2, 2, Infinity]]) {
    const ordered = RunTable.fromSummaries(xs.flatMap((x, i) => [summary(`o${i}`, { metrics: { x } }), summary(`t${i}`, { metrics: i % 3 ? { x: 'text' as unknown as number } : {} })]));
    for (const descending of [false, true]) {
      const keys = [{ column: 'metrics.x', descending }];
      const view = ordered.select({ sort: keys });
      assert.deepEqual(ordered.rows(view, 0, view.length, []).map((r) => r.id), referenceOrder(ordered, keys), JSON.stringify([xs, descending]));
    }
  }
  // A filtered view sorts the same rows in the same order as the whole table does.
  const f = parseFilter('params.few >= 1', t.columnKeys()).filter;
  const sort = [{ column: 'params.x', descending: true }];
  const filtered = t.rows(t.select({ filter: f, sort }), 0, 400, ['params.few']);
  const whole = referenceOrder(t, sort).filter((id) => filtered.some((r) => r.id === id));
  assert.deepEqual(filtered.map((r) => r.id), whole);
});

test('ranks computed ahead of a sort, or let go of past the last few columns, still sort right, and see a later change', () => {
  let seed = 11;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const metrics = () => Object.fromEntries(Array.from({ length: 40 }, (_, m) => [`m${m}`, Math.round(next() * 50)]));
  const t = RunTable.fromSummaries(Array.from({ length: 200 }, (_, i) => summary(`r${i}`, { metrics: metrics() })));
  const order = (column: string) => {
    const keys = [{ column, descending: false }];
    const view = t.select({ sort: keys });
    assert.deepEqual(t.rows(view, 0, view.length, []).map((r) => r.id), referenceOrder(t, keys), column);
  };
  // More columns than keep their ranks: the first ones prepared have let theirs go by the time they sort.
  for (let m = 0; m < 40; m++) t.prepareSort(`metrics.m${m}`);
  for (let m = 0; m < 40; m++) order(`metrics.m${m}`);
  t.prepareSort('metrics.m3');
  t.upsert(summary('r7', { metrics: { ...metrics(), m3: -1 } }));
  order('metrics.m3');
  assert.equal(ids(t, '', 'metrics.m3')[0], 'r7');
  t.prepareSort('no.such.column');
});

test('filters on numbers and words agree with the cells, whatever kinds a column mixes', () => {
  const mixed = [1, 5, NaN, 'five', true, false, null, 10];
  const t = RunTable.fromSummaries(mixed.map((x, i) => summary(`r${i}`, { params: { x } })));
  assert.deepEqual(ids(t, 'params.x > 1'), ['r1', 'r7']);
  assert.deepEqual(ids(t, 'params.x <= 5'), ['r0', 'r1']);
  assert.deepEqual(ids(t, 'params.x < 100 and params.x >= 5'), ['r1', 'r7']);
  assert.deepEqual(ids(t, 'params.x = five'), ['r3']);
  assert.deepEqual(ids(t, 'params.x = true'), ['r4']);
  assert.deepEqual(ids(t, 'params.x = false'), ['r5']);
  assert.deepEqual(ids(t, 'status = succeeded and params.x != five').length, 7);
});

test('runsOf gives the groups of a sorted view', () => {
  const many = Array.from({ length: 3000 }, (_, i) => summary(`r${i}`, { flow: i % 3 === 0 ? 'a' : 'b', params: { i }, metrics: { m: i % 7 } }));
  const t = RunTable.fromSummaries(many, new Set(['r5']));
  const view = t.select({ sort: [{ column: 'flow', descending: false }] });
  assert.deepEqual(t.runsOf(view, 'flow'), [{ value: 'a', start: 0, count: 1000 }, { value: 'b', start: 1000, count: 2000 }]);
  assert.deepEqual(t.runsOf(new Int32Array(0), 'flow'), []);
});

test('the revision changes only when an upsert or a live metric changes a value', () => {
  const t = RunTable.fromSummaries([summary('r1', { params: { lr: 0.1 }, metrics: { auc: 0.5 } })]);
  let revision = t.revision;
  t.upsert(summary('r1', { params: { lr: 0.1 }, metrics: { auc: 0.5 } }));
  assert.equal(t.revision, revision, 'the same summary again is no change');
  t.upsert(summary('r1', { params: { lr: 0.1 }, metrics: { auc: 0.6 } }));
  assert.notEqual(t.revision, revision);
  revision = t.revision;
  t.upsert(summary('r1', { params: { lr: 0.1 }, metrics: {} }));
  assert.notEqual(t.revision, revision, 'a metric the run no longer has is a change');
  revision = t.revision;
  assert.equal(t.setMetric('r1', 'loss', 0.25), true);
  assert.notEqual(t.revision, revision);
  assert.deepEqual(t.run(t.rowOf('r1')!)!.metrics, { loss: 0.25 });
  revision = t.revision;
  t.setMetric('r1', 'loss', 0.25);
  assert.equal(t.revision, revision);
  assert.equal(t.setMetric('nope', 'loss', 1), false);
});

test('a small table taking in a big one with none of its ids ends as the big one taking it in would, skips counted once', () => {
  const small = () => RunTable.fromSummaries([summary('s1', { params: { lr: 0.5 }, metrics: { auc: 0.6 } }), { id: 's2', start: 1, params: 'bad' } as unknown as RunSummary], new Set(['s1']));
  const big = () => RunTable.fromSummaries([...runs, null as unknown as RunSummary]);
  const a = small();
  const other = big();
  a.absorb(other);
  const b = big();
  b.absorb(small());
  assert.equal(other.size, 0, 'the table taken in is left empty');
  assert.deepEqual(ids(a, '', 'params.lr desc'), ids(b, '', 'params.lr desc'));
  for (const id of ['s1', 'r2']) assert.deepEqual(a.run(a.rowOf(id)!), b.run(b.rowOf(id)!), id);
  assert.equal(a.isStarred('s1'), true);
  assert.deepEqual({ ...a.skipped(), examples: a.skipped().examples.length }, { ...b.skipped(), examples: b.skipped().examples.length });
  const sum = (k: 'runs' | 'values') => small().skipped()[k] + big().skipped()[k];
  assert.deepEqual([a.skipped().runs, a.skipped().values], [sum('runs'), sum('values')], "each table's skips, once");
  assert.ok(sum('runs') > 0 && small().skipped().values > 0, 'both tables skipped something');
});
