import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { flowStatus } from '../../core/engine/status';
import { queryWarehouse } from '../sql/fixture';
import { outcomes, workspace } from './workspace';

const FLOW = `flow: sql-steps
params: { scale: 2 }
sources:
  raw:
    rows: { path: data/rows.csv }
steps:
  features:
    sql: sql/features.sql
    materialize: table
  big:
    sql: sql/big.sql
    materialize: view
  use:
    run: cp "$FLOWBENCH_INPUT_FEATURES" copy.parquet && echo use >> runs.log
    inputs: [features]
    outs: [copy.parquet]
`;

const FILES = {
  'data/rows.csv': 'id,v\n1,10\n2,20\n3,30\n',
  'sql/features.sql': "SELECT id, v * {{ params.scale }} AS w FROM {{ source('raw', 'rows') }}\n",
  'sql/big.sql': "SELECT * FROM {{ ref('features') }} WHERE w > 40\n",
};

test('SQL steps run on DuckDB, hand their table to run steps, and are cached and restored with their table', async (t) => {
  const ws = workspace(FLOW, FILES);
  t.after(ws.cleanup);
  const warehouse = path.join(ws.dir, '.flowbench/warehouse.duckdb');
  const sum = async () => (await queryWarehouse(warehouse, 'SELECT sum(w)::INTEGER FROM features'))[0]![0];

  const first = await ws.run();
  assert.equal(first.result.status, 'succeeded', JSON.stringify([...first.result.steps]));
  assert.ok(ws.exists('.flowbench/tables/features.parquet'));
  assert.equal(await sum(), 120);
  assert.deepEqual(await queryWarehouse(warehouse, 'SELECT count(*)::INTEGER FROM big'), [[1]]);

  const changed = await ws.run({ overrides: { scale: 3 } });
  assert.deepEqual(outcomes(changed.result), { features: 'succeeded', big: 'succeeded', use: 'succeeded' });
  assert.equal(await sum(), 180);

  const status = await flowStatus(ws.flowFile);
  assert.deepEqual(status.steps.get('features')!.reasons, ['params.scale 3 → 2']);

  const reverted = await ws.run();
  assert.equal(reverted.result.steps.get('features')!.outcome, 'restored');
  assert.equal(reverted.result.steps.get('use')!.outcome, 'restored');
  assert.equal(ws.read('runs.log'), 'use\nuse\n', 'the run step was restored, not run');
  assert.equal(await sum(), 120, 'restoring re-creates the DuckDB table from the cached Parquet export');

  const again = await ws.run();
  assert.deepEqual(outcomes(again.result), { features: 'cached', big: 'cached', use: 'cached' });

  ws.write('data/rows.csv', 'id,v\n1,10\n');
  const sourceChanged = await flowStatus(ws.flowFile);
  assert.deepEqual(sourceChanged.steps.get('features')!.reasons, ['sources: data/rows.csv changed']);
});

test('a SQL error fails the step with the SQL file position', async (t) => {
  const ws = workspace(FLOW, { ...FILES, 'sql/big.sql': "SELECT nope FROM {{ ref('features') }}\n" });
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.deepEqual(outcomes(result), { features: 'succeeded', big: 'failed', use: 'succeeded' });
  const end = events.find((e) => e.type === 'step-end' && e.step === 'big');
  assert.ok(end?.type === 'step-end' && end.location);
  assert.equal(end.location.file, path.join(ws.dir, 'sql/big.sql'));
  assert.equal(end.location.line, 1);
});
