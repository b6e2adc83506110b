// Source paths that are globs or use ${params.x}: DuckDB reads the matched files, the fingerprint
// covers their contents, and a file added to the glob makes the step stale with a reason.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { flowStatus } from '../../core/engine/status';
import { queryWarehouse } from '../sql/fixture';
import { outcomes, workspace } from './workspace';

const FLOW = `flow: globs
params: { year: 2023 }
sources:
  raw:
    parts: { path: data/part-*.csv }
    yearly: { path: "data/\${params.year}.csv" }
steps:
  total:
    sql: sql/total.sql
  yearly:
    sql: sql/yearly.sql
`;

const FILES = {
  'data/part-1.csv': 'v\n1\n2\n',
  'data/part-2.csv': 'v\n10\n',
  'data/2023.csv': 'v\n100\n',
  'data/2024.csv': 'v\n1000\n',
  'sql/total.sql': "SELECT sum(v)::INTEGER AS s, count(*)::INTEGER AS n FROM {{ source('raw', 'parts') }}\n",
  'sql/yearly.sql': "SELECT sum(v)::INTEGER AS s FROM {{ source('raw', 'yearly') }}\n",
};

test('a glob source reads every matched file; adding one makes the step stale and the re-run reads it', async (t) => {
  const ws = workspace(FLOW, FILES);
  t.after(ws.cleanup);
  const warehouse = path.join(ws.dir, '.flowbench/warehouse.duckdb');

  const first = await ws.run();
  assert.equal(first.result.status, 'succeeded', JSON.stringify([...first.result.steps]));
  assert.deepEqual(await queryWarehouse(warehouse, 'SELECT s, n FROM total'), [[13, 3]]);
  assert.equal((await flowStatus(ws.flowFile)).steps.get('total')!.state, 'up-to-date');

  ws.write('data/part-3.csv', 'v\n100\n');
  const stale = (await flowStatus(ws.flowFile)).steps.get('total')!;
  assert.equal(stale.state, 'stale');
  assert.deepEqual(stale.reasons, ['sources: data/part-3.csv added']);

  ws.write('data/part-1.csv', 'v\n5\n');
  assert.deepEqual((await flowStatus(ws.flowFile)).steps.get('total')!.reasons, ['sources: data/part-1.csv changed', 'sources: data/part-3.csv added']);

  const second = await ws.run();
  assert.deepEqual(outcomes(second.result), { total: 'succeeded', yearly: 'cached' });
  assert.deepEqual(await queryWarehouse(warehouse, 'SELECT s, n FROM total'), [[115, 3]]);
});

test('a ${params.x} source path follows overrides, and the status names the param', async (t) => {
  const ws = workspace(FLOW, FILES);
  t.after(ws.cleanup);
  const warehouse = path.join(ws.dir, '.flowbench/warehouse.duckdb');
  assert.equal((await ws.run()).result.status, 'succeeded');
  assert.deepEqual(await queryWarehouse(warehouse, 'SELECT s FROM yearly'), [[100]]);

  const other = await ws.run({ overrides: { year: 2024 } });
  assert.deepEqual(outcomes(other.result), { total: 'cached', yearly: 'succeeded' });
  assert.deepEqual(await queryWarehouse(warehouse, 'SELECT s FROM yearly'), [[1000]]);
  const status = (await flowStatus(ws.flowFile)).steps.get('yearly')!;
  assert.deepEqual(status.reasons, ['params.year 2024 → 2023', 'sources: data/2023.csv added', 'sources: data/2024.csv removed']);

  const missing = await ws.run({ overrides: { year: 1999 } });
  assert.equal(missing.result.steps.get('yearly')!.outcome, 'failed');
  assert.match(missing.result.steps.get('yearly')!.message ?? '', /source raw\.yearly: file 'data\/1999\.csv' does not exist/);

  // A file beside the project, which the override would have DuckDB read.
  const away = `${ws.dir}-away.csv`;
  fs.writeFileSync(away, 'v\n7\n');
  t.after(() => fs.rmSync(away, { force: true }));
  const escaped = await ws.run({ overrides: { year: `../../${path.basename(ws.dir)}-away` } });
  assert.equal(escaped.result.steps.get('yearly')!.outcome, 'failed');
  assert.match(escaped.result.steps.get('yearly')!.message ?? '', /source raw\.yearly: '.*-away\.csv' lies outside the flow's folder/);
  assert.deepEqual(await queryWarehouse(warehouse, 'SELECT s FROM yearly'), [[1000]]);
});
