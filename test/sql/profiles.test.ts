import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { queryWarehouse, sqlFixture } from './fixture';

const flow = `flow: profiles
warehouse: dev
warehouses:
  dev: { type: duckdb, path: data/dev.duckdb, schema: analytics }
  other: { type: duckdb, path: data/other.duckdb }
steps:
  base:
    sql: sql/base.sql
  local_step:
    sql: sql/base.sql
    warehouse: local
  cross:
    sql: sql/cross.sql
    warehouse: other
  nowhere:
    sql: sql/base.sql
    warehouse: nowhere
  slow:
    sql: sql/slow.sql
`;

const fx = sqlFixture(flow, {
  'sql/base.sql': 'select 42 as answer',
  'sql/cross.sql': "select * from {{ ref('base') }}",
  'sql/slow.sql': 'select sum(a.range * b.range) as s from range(300000) a, range(300000) b',
});
after(() => fx.close());

test('a duckdb profile sets the database file and the schema; exports stay under .flowbench/tables', async () => {
  const base = await fx.run('base');
  assert.deepEqual(base, { relation: '"analytics"."base"', kind: 'table', rows: 1, parquet: fx.project.path('.flowbench/tables/base.parquet') });
  const local = await fx.run('local_step');
  assert.equal(local.relation, '"main"."local_step"');
  await fx.executor.close();
  assert.deepEqual(await queryWarehouse(fx.project.path('data/dev.duckdb'), 'select answer from analytics.base'), [[42]]);
  assert.deepEqual(await queryWarehouse(fx.project.path('.flowbench/warehouse.duckdb'), 'select answer from main.local_step'), [[42]]);
  await fx.reload();
});

test('ref() across warehouses and unknown profiles are errors with positions', async () => {
  await assert.rejects(fx.run('cross'), /^SqlStepError: sql\/cross\.sql:1:23: ref\('base'\): 'base' runs on warehouse 'dev', this step on 'other'/);
  await assert.rejects(fx.run('nowhere'), /^SqlStepError: demo\.flow\.yaml:17:16: unknown warehouse 'nowhere': define it under `warehouses:`/);
});

test('closing the executor stops a running step with a clear message', async () => {
  const running = fx.run('slow');
  setTimeout(() => void fx.executor.close(), 300);
  await assert.rejects(running, /^SqlStepError: slow: stopped because the SQL executor was closed while it ran\.$/);
  await fx.reload();
});

test('temporary exports left by a killed process are removed when the warehouse opens', async () => {
  await fx.executor.close();
  const stale = fx.project.write(`.flowbench/tables/.base.parquet.${deadPid()}-abcd1234.tmp`, 'half a file');
  const mine = fx.project.write(`.flowbench/tables/.base.parquet.${process.pid}-abcd1234.tmp`, 'being written');
  await fx.reload();
  await fx.run('base');
  assert.ok(!existsSync(stale));
  assert.ok(existsSync(mine), 'a running process may still be writing it');
  assert.deepEqual(readdirSync(fx.project.path('.flowbench/tables')).filter((f) => !f.startsWith('.')).sort(), ['base.parquet', 'local_step.parquet']);
});

/** The id of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}
