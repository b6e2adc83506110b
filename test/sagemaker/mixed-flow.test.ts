// One flow mixing the three places a step can run: a local command, a Snowflake SQL step (the real
// snowflake-sdk against the fake Snowflake server) and a SageMaker training job (the real AWS SDK against the
// fake AWS server) that reads the Snowflake table as Parquet. No real AWS or Snowflake account is involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadFlow } from '../../core/flow/analyze';
import { runFlow } from '../../core/engine/runner';
import type { RunEvent } from '../../core/engine/events';
import { BUCKET, startFakeRemote } from '../helpers/fake-aws/remote';
import { startFlightsSnowflake, snowflakeEnvironment } from '../helpers/fake-snowflake/flights';
import { tempProject } from '../helpers/project';

const PASSWORD = 'pw-mixed-never-logged';
const FLOW = `flow: mixed
warehouse: snow
warehouses:
  snow: { type: snowflake, account: fakeacct, user: ana, database: ML, schema: PUBLIC, warehouse: WH }
sources:
  raw:
    flights: { relation: ML.RAW.FLIGHTS }
steps:
  prep:
    run: node prep.mjs
    deps: [prep.mjs]
    outs: [config.json]
  features:
    sql: sql/features.sql
  train:
    run: node train.mjs
    deps: [train.mjs, config.json]
    inputs: [features]
    outs: [model.json]
    compute: { target: sagemaker, instance_type: ml.m5.large, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1, role: 'arn:aws:iam::123456789012:role/Fb', s3_prefix: 's3://${BUCKET}/mixed' }
`;

test('a local step, a Snowflake SQL step and a SageMaker step: validate, run end to end, then a second run is cached', async (t) => {
  const p = tempProject({
    'mixed.flow.yaml': FLOW,
    'sql/features.sql': "SELECT id, delay * 2 AS delay2\nFROM {{ source('raw', 'flights') }}\n",
    'prep.mjs': "import { writeFileSync } from 'node:fs';\nwriteFileSync('config.json', JSON.stringify({ depth: 3 }));\n",
    'train.mjs': "import { readFileSync, statSync, writeFileSync } from 'node:fs';\nconst cfg = JSON.parse(readFileSync('config.json', 'utf8'));\nconsole.log('parquet bytes', statSync(process.env.FLOWBENCH_INPUT_FEATURES).size);\nwriteFileSync('model.json', JSON.stringify({ depth: cfg.depth, parquet: statSync(process.env.FLOWBENCH_INPUT_FEATURES).size > 0 }));\n",
  });
  const snow = await startFlightsSnowflake(300, PASSWORD);
  const aws = await startFakeRemote();
  const saved = { ...process.env };
  t.after(async () => {
    process.env = saved;
    await aws.close();
    await snow.close();
    p.remove();
  });
  aws.useInProcess();
  Object.assign(process.env, snowflakeEnvironment(snow, PASSWORD, p.root));

  const analysis = loadFlow(p.path('mixed.flow.yaml'));
  assert.deepEqual(analysis.problems.filter((x) => x.severity === 'error'), []);
  assert.deepEqual([...analysis.flow.steps.values()].map((s) => s.compute.target), ['local', 'local', 'sagemaker']);

  const run = async () => {
    const events: RunEvent[] = [];
    const result = await runFlow({ flowFile: p.path('mixed.flow.yaml'), onEvent: (e) => events.push(e) });
    return { result, outcomes: Object.fromEntries([...result.steps].map(([k, v]) => [k, v.outcome])) };
  };
  const first = await run();
  assert.equal(first.result.status, 'succeeded', JSON.stringify([...first.result.steps]));
  assert.deepEqual(first.outcomes, { prep: 'succeeded', features: 'succeeded', train: 'succeeded' });
  assert.ok(snow.queries().some((q) => q.startsWith('CREATE OR REPLACE TABLE "ML"."PUBLIC"."FEATURES"')));
  assert.equal(aws.aws.targets('SageMaker.CreateTrainingJob').length, 1);
  assert.deepEqual(JSON.parse(readFileSync(p.path('model.json'), 'utf8')), { depth: 3, parquet: true });

  const awsCalls = aws.aws.calls.length;
  const snowQueries = snow.queries().length;
  const second = await run();
  assert.deepEqual(second.outcomes, { prep: 'cached', features: 'cached', train: 'cached' });
  assert.equal(aws.aws.calls.length, awsCalls, 'no AWS call at all');
  // Snowflake is asked only when the source table last changed (its fingerprint): no query runs, nothing is exported.
  const since = snow.queries().slice(snowQueries);
  assert.ok(since.every((q) => /INFORMATION_SCHEMA\.TABLES/.test(q)), since.join('\n'));
});
