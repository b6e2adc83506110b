import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../core/engine/events';
import { columnHover } from '../../core/analysis/column-hover';
import { complete } from '../../core/analysis/completion';
import { WorkspaceIndex } from '../../core/analysis/workspace';
import { diskHost } from '../../core/flow/host';
import { failingRowsMarkdown, lastTests } from '../../core/flow/validate-tests';
import { analyzeFlow, loadFlow } from '../../core/flow/analyze';
import type { TestResult } from '../../core/runs/types';
import { outcomes, workspace } from './workspace';

const DATA = path.resolve('examples/flight-delays/data');

// 2,000 real flights (the example's sample) joined to the real airports list; `bad` adds one row that
// breaks every test, so each failing count is 1 and each sample is that row.
const FLOW = (badNotNull = 'not_null') => `flow: dt
sources:
  raw:
    flights: { path: data/flights.parquet }
    airports:
      path: data/airports.csv
      tests:
        columns:
          iata: [not_null, unique]
steps:
  good:
    sql: sql/good.sql
    tests:
      columns:
        id: [not_null, unique]
        origin: [not_null, { matches: '^[A-Z0-9]{3}$' }, { relationships: { to: raw.airports, field: iata } }]
        delay: [{ range: { min: -120, max: 1440 } }]
        band: [{ accepted_values: [short, long] }]
      table:
        - { row_count: { min: 2000, max: 1 of raw.flights } }
        - { unique_combination: [id, origin] }
        - { sql: tests/no-long-delays.sql }
  bad:
    sql: sql/bad.sql
    tests:
      columns:
        departure: [${badNotNull}]
        id: [{ unique: { severity: warn } }]
        origin: [{ matches: { pattern: '^[A-Z0-9]{3}$', severity: warn } }, { relationships: { to: raw.airports, field: iata, severity: warn } }]
        delay: [{ range: { min: -120, max: 1440, severity: warn } }]
        band: [{ accepted_values: { values: [short, long], severity: warn } }]
      table:
        - { row_count: { max: 1 of good, severity: warn } }
        - { unique_combination: { columns: [id, origin], severity: warn } }
        - { sql: { file: tests/bad-long-delays.sql, severity: warn } }
  after:
    run: echo after
    needs: [bad]
`;

const FILES = {
  'sql/good.sql': `SELECT row_number() OVER (ORDER BY f.date, f.origin, f.destination, f.delay) AS id, f.date AS departure,
  CAST(f.delay AS INTEGER) AS delay, f.origin, CASE WHEN f.distance < 700 THEN 'short' ELSE 'long' END AS band
FROM (SELECT * FROM {{ source('raw', 'flights') }} WHERE delay BETWEEN -120 AND 1440 ORDER BY date, origin, destination, delay LIMIT 2000) AS f
JOIN {{ source('raw', 'airports') }} AS a ON a.iata = f.origin
`,
  'sql/bad.sql': `SELECT * FROM {{ ref('good') }}
UNION ALL SELECT 1, NULL, 5000, 'zz9', 'medium'
`,
  'tests/no-long-delays.sql': "-- failing rows: delays over a day\nSELECT * FROM {{ ref('good') }} WHERE delay > 1440;\n",
  'tests/bad-long-delays.sql': "SELECT * FROM {{ ref('bad') }} WHERE delay > 1440\n",
};

function setup(flow = FLOW()) {
  const ws = workspace(flow, FILES);
  fs.mkdirSync(path.join(ws.dir, 'data'));
  fs.symlinkSync(path.join(DATA, 'flights-sample.parquet'), path.join(ws.dir, 'data/flights.parquet'));
  fs.copyFileSync(path.join(DATA, 'airports.csv'), path.join(ws.dir, 'data/airports.csv'));
  return ws;
}

function stepEnd(events: RunEvent[], step: string) {
  return events.find((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end' && e.step === step)!;
}

function byName(tests: TestResult[] | undefined): Map<string, TestResult> {
  return new Map((tests ?? []).map((t) => [`${t.table} ${t.name}`, t]));
}

test('every test kind passes on real flights, and fails on a bad row with the row as the sample; an error test fails the step', async (t) => {
  const ws = setup();
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.deepEqual(outcomes(result), { good: 'succeeded', bad: 'failed', after: 'skipped' });

  const good = byName(stepEnd(events, 'good').tests);
  assert.equal(good.size, 12, [...good.keys()].join(', '));
  for (const [name, r] of good) assert.equal(r.status, 'pass', `${name}: ${r.message}`);
  assert.ok(good.has('raw.airports unique(iata)'), 'the tests of a source the step reads run with it');

  const end = stepEnd(events, 'bad');
  const bad = byName(end.tests);
  const notNull = bad.get('bad not_null(departure)')!;
  assert.equal(notNull.status, 'fail');
  assert.equal(notNull.failing, 1);
  assert.deepEqual(notNull.sample, [{ id: 1, departure: null, delay: 5000, origin: 'zz9', band: 'medium' }]);
  // what the Pipelines view opens for it: the last check's failing rows as a table
  const shown = lastTests(ws.dir, 'bad', diskHost)!.find((r) => r.name === 'not_null(departure)')!;
  const markdown = failingRowsMarkdown(shown).split('\n');
  assert.equal(markdown[0], '# bad: not_null(departure)');
  assert.match(markdown[2]!, /^Failed \(error\): 1 failing row\.$/);
  assert.deepEqual(markdown.slice(-4, -1), ['| id | departure | delay | origin | band |', '| --- | --- | --- | --- | --- |', '| 1 | ∅ | 5000 | zz9 | medium |']);
  assert.match(end.message!, /not_null\(departure\): 1 rows have a null departure .*e\.g\. \{"id":1,"departure":null/);
  assert.equal(end.location?.line, 27, 'the failing test is located on its line of the flow file');
  const lastCheck = loadFlow(ws.flowFile).problems.filter((p) => p.code === 'FB117');
  assert.deepEqual(lastCheck.map((p) => [p.severity, p.range.start.line + 1, p.message.split(' in the last check')[0]]).slice(0, 2), [
    ['warning', 27, 'not_null(departure) failed'],
    ['info', 28, 'unique(id) failed'],
  ], 'failing tests show on their lines in the editor until they pass');

  for (const name of ['matches(origin)', 'relationships(origin → raw.airports.iata)', 'range(delay)', 'accepted_values(band)', 'sql(tests/bad-long-delays.sql)']) {
    const r = bad.get(`bad ${name}`)!;
    assert.equal(r.severity, 'warn');
    assert.equal(r.status, 'fail', name);
    assert.equal(r.failing, 1, name);
    assert.equal(r.sample?.length, 1, name);
    assert.equal(r.sample![0]!.origin, 'zz9', name);
  }
  // the bad row repeats id 1: unique reports the value and how often it appears
  assert.deepEqual(bad.get('bad unique(id)')!.sample, [{ id: 1, rows: 2 }]);
  assert.equal(bad.get('bad unique_combination(id, origin)')!.status, 'pass', 'id 1 with origin zz9 is a new combination');
  const rows = bad.get('bad row_count')!;
  assert.equal(rows.status, 'fail');
  assert.match(rows.message!, /^2,001 rows, more than max \(1 of good\) = 2,000$/);

  const profile = stepEnd(events, 'good').profile!;
  assert.equal(profile.rows, 2000);
  const delay = profile.columns.find((c) => c.name === 'delay')!;
  assert.equal(delay.type, 'INTEGER');
  assert.equal(delay.histogram!.reduce((n, b) => n + b.count, 0), 2000);
  assert.equal(delay.histogram![0]!.start, delay.min);
  const band = profile.columns.find((c) => c.name === 'band')!;
  assert.deepEqual(band.top!.map((v) => v.value).sort(), ['long', 'short']);
  assert.equal(band.top!.reduce((n, v) => n + v.count!, 0), 2000);
  assert.equal(stepEnd(events, 'bad').profile!.columns.find((c) => c.name === 'departure')!.nulls, 1);

  // hovering the column of a test shows its profile
  const lines = FLOW().split('\n');
  const line = lines.findIndex((l) => l.includes('band: [{ accepted_values: [short, long] }]'));
  const hover = columnHover(loadFlow(ws.flowFile), { line, character: lines[line]!.indexOf('band') + 2 })!;
  assert.match(hover.markdown, /^\*\*column\*\* `band` of `good`: VARCHAR, 0\.0% null, ~2 distinct of 2,000 rows/);
  assert.match(hover.markdown, /top: `(short|long)` \(\d/);

  // completing a new column under `columns:` offers the table's columns as last materialized
  const typed = [...lines.slice(0, line + 1), '        de', ...lines.slice(line + 1)].join('\n');
  const index = new WorkspaceIndex(diskHost);
  index.set(ws.flowFile, typed, analyzeFlow(ws.flowFile, typed));
  const entries = complete(index, ws.flowFile, { line: line + 1, character: 10 });
  assert.deepEqual(entries.map((e) => e.label), profile.columns.map((c) => c.name));
  assert.equal(entries.find((e) => e.label === 'delay')?.detail, delay.type);
  assert.equal(entries[0]!.insertText, `${profile.columns[0]!.name}: `);
});

test('editing a test re-checks the kept table without recomputing it; an unchanged passing step is not checked again', async (t) => {
  const ws = setup();
  t.after(ws.cleanup);
  await ws.run();
  ws.write('test.flow.yaml', FLOW('{ not_null: { severity: warn } }'));
  const { result, events } = await ws.run();
  assert.deepEqual(outcomes(result), { good: 'cached', bad: 'cached', after: 'succeeded' }, result.message);
  assert.ok(!events.some((e) => e.type === 'step-start' && e.step === 'bad'), 'the table was not recomputed');
  assert.equal(byName(stepEnd(events, 'bad').tests).get('bad not_null(departure)')!.status, 'fail');
  assert.match(stepEnd(events, 'bad').message!, /tests re-checked on the kept table; 8 data tests warned/);

  const checks = path.join(ws.dir, '.flowbench/checks/bad.json');
  const before = fs.statSync(checks).mtimeMs;
  const again = await ws.run();
  assert.deepEqual(outcomes(again.result), { good: 'cached', bad: 'cached', after: 'cached' });
  assert.equal(fs.statSync(checks).mtimeMs, before, 'nothing was checked again');
  assert.equal(stepEnd(again.events, 'bad').tests?.length, 9, 'the remembered results are in the record');
});

test('freshness on a source: the newest timestamp at most max_age old', async (t) => {
  const flow = `flow: fresh
sources:
  raw:
    loads:
      path: data/loads.csv
      tests:
        table: [{ freshness: { column: loaded_at, max_age: 1h } }]
steps:
  latest:
    sql: sql/latest.sql
`;
  const stamp = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
  const ws = workspace(flow, { 'sql/latest.sql': "SELECT max(loaded_at) AS newest FROM {{ source('raw', 'loads') }}\n", 'data/loads.csv': `id,loaded_at\n1,${stamp(5)}\n2,${stamp(3)}\n` });
  t.after(ws.cleanup);
  const stale = await ws.run();
  assert.equal(stale.result.steps.get('latest')!.outcome, 'failed');
  assert.match(stepEnd(stale.events, 'latest').message!, /raw\.loads: freshness\(loaded_at\): the newest loaded_at is 3h( \d+s)? old, more than max_age 1h/);
  ws.write('data/loads.csv', `id,loaded_at\n1,${stamp(5)}\n2,${stamp(0.1)}\n`);
  const fresh = await ws.run();
  assert.equal(fresh.result.steps.get('latest')!.outcome, 'succeeded');
});

test('bad tests: lint errors with positions, and a column missing at run time is a clear error', async (t) => {
  const ws = setup();
  t.after(ws.cleanup);
  await ws.run({ targets: ['good'] });
  const flow = FLOW().replace('band: [{ accepted_values: [short, long] }]', "bandd: [{ accepted_values: [short, long] }, { matches: '(unclosed' }, { relationships: { to: after, field: x } }]");
  ws.write('test.flow.yaml', flow);
  const problems = loadFlow(ws.flowFile).problems.filter((p) => p.code.startsWith('FB11'));
  const at = (code: string) => problems.find((p) => p.code === code)!;
  const line = flow.split('\n').findIndex((l) => l.includes('bandd:'));
  const col = (text: string) => flow.split('\n')[line]!.indexOf(text);
  assert.equal(at('FB116').severity, 'error', 'the SQL is unchanged since the table was made, so the column is surely missing');
  assert.deepEqual(at('FB116').range, { start: { line, character: col('bandd') }, end: { line, character: col('bandd') + 5 } });
  assert.match(at('FB116').message, /column 'bandd' is not in good as last materialized\. Did you mean 'band'\?/);
  assert.deepEqual(at('FB112').range.start, { line, character: col("'(unclosed'") });
  assert.match(at('FB112').message, /Malformed regular expression: .*RE2/);
  assert.deepEqual(at('FB114').range.start, { line, character: col('after, field') });

  // With the SQL edited the column may exist now: a warning, and at run time the test says what is wrong.
  ws.write('test.flow.yaml', FLOW().replace('band: [{ accepted_values: [short, long] }]', 'bandd: [not_null]'));
  ws.write('sql/good.sql', FILES['sql/good.sql'].replace('AS band', 'AS band2'));
  assert.equal(loadFlow(ws.flowFile).problems.find((p) => p.code === 'FB116')!.severity, 'warning');
  const { events } = await ws.run({ targets: ['good'] });
  const end = stepEnd(events, 'good');
  assert.equal(end.outcome, 'failed');
  assert.match(end.message!, /not_null\(bandd\) could not run: column 'bandd' does not exist in good\. Did you mean 'band2'\?/);
});
