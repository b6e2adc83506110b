import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { queryFiles, queryWarehouse, sqlFixture } from './fixture';

const origins = ['SEA', 'SFO', 'LAX', 'JFK'];
const csv = ['origin,delay', ...Array.from({ length: 4000 }, (_, i) => `${origins[i % 4]},${i % 97}`), ''].join('\n');

const perOrigin = Object.fromEntries(origins.map((o) => [`sql/${o.toLowerCase()}.sql`, `select count(*) as n, sum(delay) as total\nfrom {{ source('raw', 'flights') }}\nwhere origin = '${o}'\n`]));
const flow = `flow: parallel
sources:
  raw:
    flights: { path: data/flights.csv }
steps:
${origins.map((o) => `  ${o.toLowerCase()}:\n    sql: sql/${o.toLowerCase()}.sql\n`).join('')}  slow:
    sql: sql/slow.sql
  broken:
    sql: sql/broken.sql
  late:
    sql: sql/late.sql
`;

const fx = sqlFixture(flow, {
  'data/flights.csv': csv,
  ...perOrigin,
  'sql/slow.sql': 'select sum(a.range * b.range) as s from range(300000) a, range(300000) b\n',
  'sql/broken.sql': "select nothing from {{ source('raw', 'flights') }}\n",
  'sql/late.sql': "select count(*) as n from {{ source('raw', 'flights') }}\n",
});
after(() => fx.close());

test('independent steps run at once on their own connections and share the source views', async () => {
  const [results, failed] = await Promise.all([
    Promise.all(origins.map((o) => fx.run(o.toLowerCase()))),
    fx.run('broken').then(() => undefined, (e: Error) => e),
  ]);
  assert.match(failed?.message ?? '', /^sql\/broken\.sql:1:8: Binder Error/);
  for (const [i, result] of results.entries()) {
    const [[n, total]] = (await queryFiles(`select n, total from read_parquet('${result.parquet}')`)) as [[bigint, bigint]];
    assert.equal(n, 1000n, origins[i]);
    const expected = Array.from({ length: 4000 }, (_, k) => k).filter((k) => k % 4 === i).reduce((s, k) => s + (k % 97), 0);
    assert.equal(Number(total), expected, origins[i]);
  }
  assert.equal(fx.logs.filter((l) => l.endsWith('source raw.flights: data/flights.csv (csv)')).length, 1, 'the source view is created once');
});

test('aborting a running step interrupts DuckDB and leaves no table, export or temporary file', async () => {
  const controller = new AbortController();
  const running = fx.run('slow', controller.signal);
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(running, (e: Error) => e.name === 'AbortError' && e.message === 'slow: cancelled');
  assert.ok(!existsSync(fx.project.path('.flowbench/tables/slow.parquet')));
  assert.ok(readdirSync(fx.project.path('.flowbench/tables')).every((f) => !f.endsWith('.tmp')));
  await fx.executor.close();
  assert.deepEqual(await queryWarehouse(fx.project.path('.flowbench/warehouse.duckdb'), "select * from information_schema.tables where table_name = 'slow'"), []);
  await fx.reload();
  await assert.rejects(fx.run('slow', AbortSignal.abort()), { name: 'AbortError' });
  assert.equal((await fx.run('sea')).rows, 1, 'the executor keeps working after a cancellation');
});

test('an abort that lands between statements still stops the step before anything is committed', async () => {
  const controller = new AbortController();
  const running = fx.run('late', controller.signal);
  controller.abort(); // the step is past its first check and not yet inside a DuckDB statement
  await assert.rejects(running, { name: 'AbortError' });
  assert.ok(!existsSync(fx.project.path('.flowbench/tables/late.parquet')));
});

test('a warehouse locked by another process fails with a remedy, and works once it is free', async () => {
  await fx.executor.close();
  const holder = spawn(
    process.execPath,
    ['-e', "require('@duckdb/node-api').DuckDBInstance.create(process.argv[1]).then(() => console.log('ready')); process.stdin.resume()", fx.project.path('.flowbench/warehouse.duckdb')],
    { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    await once(holder.stdout!, 'data');
    await fx.reload();
    await assert.rejects(fx.run('sea'), (e: Error) => {
      assert.match(e.message, new RegExp(`^another flowbench run is using \\.flowbench/warehouse\\.duckdb: process ${holder.pid} \\(.*\\) holds its lock\\. .*wait for that run to finish or stop it, then run again\\.$`));
      return true;
    });
  } finally {
    holder.kill();
    await once(holder, 'exit');
  }
  assert.equal((await fx.run('sea')).rows, 1);
});
