import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { flowErrors, queryFiles, queryWarehouse, sqlFixture } from './fixture';

const flow = `flow: chain
params:
  min_delay: 10
  carrier: "O'Hare"
sources:
  raw:
    flights: { path: data/flights.csv }
steps:
  staging:
    sql: sql/staging.sql
  delayed:
    sql: sql/delayed.sql
    materialize: view
  summary:
    sql: sql/summary.sql
`;

const flightsCsv = ['origin,delay,note', 'SEA,5,a', 'SEA,25,b', 'SFO,40,c', 'LAX,-3,d', 'SFO,12,e', ''].join('\n');

const fx = sqlFixture(flow, {
  'data/flights.csv': flightsCsv,
  'sql/staging.sql': "select origin, delay from {{ source('raw', 'flights') }}\n",
  'sql/delayed.sql': "select *, {{ params.carrier }} as label\nfrom {{ ref('staging') }}\nwhere delay > {{ params.min_delay }}\n",
  'sql/summary.sql': "select d.origin, count(*) as n, max(d.label) as label,\n  (select count(*) from {{ ref('staging') }}) as total\nfrom {{ ref('delayed') }} d\ngroup by d.origin\norder by d.origin\n",
});
const database = fx.project.path('.flowbench/warehouse.duckdb');
after(() => fx.close());

test('the flow under test is valid', () => {
  assert.deepEqual(flowErrors(fx.analysis), []);
});

test('a ref chain through a view renders relations and params and materializes each step', async () => {
  const staging = await fx.run('staging');
  assert.equal(staging.rows, 5);
  const delayed = await fx.run('delayed');
  assert.deepEqual(delayed, { relation: '"main"."delayed"', kind: 'view' });
  assert.ok(!existsSync(fx.project.path('.flowbench/tables/delayed.parquet')), 'a view has no Parquet export');
  const summary = await fx.run('summary');
  assert.equal(summary.rows, 2);
  assert.deepEqual(await queryFiles(`select origin, n, label, total from read_parquet('${summary.parquet}') order by origin`), [
    ['SEA', 1n, "O'Hare", 5n],
    ['SFO', 2n, "O'Hare", 5n],
  ]);
  assert.deepEqual(fx.logs.filter((l) => l.startsWith('delayed: {{')), [
    `delayed: {{ params.carrier }} → 'O''Hare'`,
    `delayed: {{ ref('staging') }} → "main"."staging"`,
    'delayed: {{ params.min_delay }} → 10',
  ]);
});

test('the warehouse file holds the tables and the view', async () => {
  await fx.executor.close();
  const objects = await queryWarehouse(database, "select table_schema, table_name, table_type from information_schema.tables order by all");
  assert.deepEqual(objects, [
    ['main', 'delayed', 'VIEW'],
    ['main', 'staging', 'BASE TABLE'],
    ['main', 'summary', 'BASE TABLE'],
    ['raw', 'flights', 'VIEW'],
  ]);
  await fx.reload();
});

test('a failing step keeps the previous table and Parquet file intact and leaves no temporary file', async () => {
  const before = readFileSync(fx.project.path('.flowbench/tables/staging.parquet'));
  fx.project.write('sql/staging.sql', "select origin, delay, cast(note as integer) as broken from {{ source('raw', 'flights') }}\n");
  await fx.reload();
  await assert.rejects(fx.run('staging'), /Conversion Error/);
  assert.deepEqual(readFileSync(fx.project.path('.flowbench/tables/staging.parquet')), before);
  assert.deepEqual(readdirSync(fx.project.path('.flowbench/tables')).sort(), ['staging.parquet', 'summary.parquet']);
  await fx.executor.close();
  assert.deepEqual(await queryWarehouse(database, "select column_name from information_schema.columns where table_name = 'staging' order by ordinal_position"), [['origin'], ['delay']]);
  assert.deepEqual(await queryWarehouse(database, 'select count(*) from staging'), [[5n]]);
  fx.project.write('sql/staging.sql', "select origin, delay from {{ source('raw', 'flights') }}\n");
  await fx.reload();
});

test('switching a step between table and view replaces the other kind and its stale export', async () => {
  await fx.run('staging');
  fx.project.write('demo.flow.yaml', flow.replace('  staging:\n    sql: sql/staging.sql\n', '  staging:\n    sql: sql/staging.sql\n    materialize: view\n'));
  await fx.reload();
  assert.deepEqual(await fx.run('staging'), { relation: '"main"."staging"', kind: 'view' });
  assert.ok(!existsSync(fx.project.path('.flowbench/tables/staging.parquet')));
  assert.equal((await fx.run('summary')).rows, 2, 'downstream reads through the view');
  fx.project.write('demo.flow.yaml', flow);
  await fx.reload();
  const table = await fx.run('staging');
  assert.equal(table.kind, 'table');
  assert.ok(statSync(table.parquet!).size > 0);
});

test('restore re-creates a table from its Parquet export in a fresh warehouse', async () => {
  const staging = await fx.run('staging');
  await fx.executor.close();
  rmSync(database);
  await fx.reload();
  await fx.executor.restore(fx.analysis.flow.steps.get('staging')!, staging.parquet!);
  await fx.run('delayed');
  const summary = await fx.run('summary');
  assert.deepEqual(await queryFiles(`select origin, n, total from read_parquet('${summary.parquet}') order by origin`), [
    ['SEA', 1n, 5n],
    ['SFO', 2n, 5n],
  ]);
  await assert.rejects(
    fx.executor.restore(fx.analysis.flow.steps.get('staging')!, fx.project.path('.flowbench/tables/nope.parquet')),
    /cannot restore table "main"\."staging": \.flowbench\/tables\/nope\.parquet does not exist/,
  );
  const corrupt = fx.project.write('.flowbench/tables/corrupt.parquet', 'not parquet at all');
  await assert.rejects(
    fx.executor.restore(fx.analysis.flow.steps.get('staging')!, corrupt),
    /^SqlStepError: cannot restore table "main"\."staging" from \.flowbench\/tables\/corrupt\.parquet: .*parquet/i,
  );
  assert.equal((await fx.run('summary')).rows, 2, 'a failed restore leaves the table as it was');
});
