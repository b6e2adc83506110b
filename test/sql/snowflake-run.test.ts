// SQL steps on Snowflake end to end: the real snowflake-sdk against the fake Snowflake server (a real DuckDB
// behind Snowflake's REST protocol), through the engine's runner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FakeSnowflake } from '../helpers/fake-snowflake/server';
import { startFlightsSnowflake, snowflakeEnvironment } from '../helpers/fake-snowflake/flights';
import { EDITOR_SECRETS_VARIABLE } from '../../core/engine/editor-secrets';
import { workspace, type Workspace } from '../engine/workspace';
import { openRunStore } from '../../core/runs/store';
import { queryFiles } from './fixture';

const PASSWORD = 'pw-7f3a9c-never-logged';
const FLOW = `flow: sf
warehouse: snow
warehouses:
  snow: { type: snowflake, account: fakeacct, user: ana, database: ML, schema: PUBLIC, warehouse: WH }
sources:
  raw:
    flights: { relation: ML.RAW.FLIGHTS }
steps:
  features:
    sql: sql/features.sql
  consume:
    inputs: [features]
    run: node -e "require('fs').writeFileSync('input.txt', process.env.FLOWBENCH_INPUT_FEATURES)"
    outs: [input.txt]
`;
const SQL = `SELECT id, carrier, delay * 2 AS delay2
FROM {{ source('raw', 'flights') }}
WHERE id >= 0
`;

let fake: FakeSnowflake;
let home: string;
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!(k in saved)) saved[k] = process.env[k];
    process.env[k] = v;
  }
}

before(async () => {
  fake = await startFlightsSnowflake(1000, PASSWORD);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-sfhome-'));
  setEnv(snowflakeEnvironment(fake, PASSWORD, home));
});

after(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(home, { recursive: true, force: true });
  await fake.close();
});

function stepLog(ws: Workspace, runId: string, step: string): string {
  return ws.read(`.flowbench/logs/${runId}/${step}.log`);
}

test('a Snowflake SQL step runs there, logs its query id, streams its table to Parquet in chunks and feeds a local step', async () => {
  const ws = workspace(FLOW, { 'sql/features.sql': SQL });
  try {
    const callsBefore = fake.calls.length;
    const first = await ws.run();
    const { result } = first;
    assert.equal(result.status, 'succeeded', result.message ?? JSON.stringify([...result.steps.values()]));
    const created = fake.queries().find((q) => q.startsWith('CREATE OR REPLACE TABLE'));
    assert.equal(created, `CREATE OR REPLACE TABLE "ML"."PUBLIC"."FEATURES" AS\nSELECT id, carrier, delay * 2 AS delay2\nFROM "ML"."RAW"."FLIGHTS"\nWHERE id >= 0\n`);
    const log = stepLog(ws, result.runId, 'features');
    assert.match(log, /snowflake query id [0-9a-f-]{36}/);
    assert.match(log, /source raw\.flights last changed 2026-11-30T08:00:00\.000Z/);
    const stepEnd = first.events.find((e) => e.type === 'step-end' && e.step === 'features');
    assert.deepEqual(stepEnd && stepEnd.type === 'step-end' && stepEnd.sourceTimes, { 'raw.flights': '2026-11-30T08:00:00.000Z' });
    const record = await openRunStore(path.join(ws.dir, '.flowbench')).get(result.runId);
    assert.deepEqual(record?.steps.features?.sourceTimes, { 'raw.flights': '2026-11-30T08:00:00.000Z' }, 'the run record keeps the time to replay with --snowflake-at');
    const calls = fake.calls.slice(callsBefore);
    // 1000 rows, 50 in the first response: the export read 10 chunks of 100
    assert.equal(calls.filter((c) => c.kind === 'chunk').length, 10);
    assert.ok(calls.filter((c) => c.kind === 'query').every((c) => /^Snowflake Token="session-/.test(c.authorization ?? '')));
    const rows = await queryFiles(`SELECT count(*), sum(id), sum(delay2), typeof(any_value(id)) FROM read_parquet('${ws.dir}/.flowbench/tables/features.parquet')`);
    assert.deepEqual(rows, [[1000n, 499500n, 1498500, 'BIGINT']]);
    assert.equal(ws.read('input.txt'), path.join(ws.dir, '.flowbench/tables/features.parquet'));
    // the password is in no file flowbench wrote, logs included
    for (const file of walk(path.join(ws.dir, '.flowbench'))) assert.ok(!fs.readFileSync(file).includes(PASSWORD), `${file} holds the password`);

    const again = await ws.run();
    assert.equal(again.result.steps.get('features')?.outcome, 'cached');
    const sinceCached = fake.queries().slice(-1)[0]!;
    assert.match(sinceCached, /INFORMATION_SCHEMA\.TABLES/, 'only the change time was asked for');

    fake.touch('ML.RAW.FLIGHTS', new Date('2026-12-01T09:30:00Z'));
    const changed = await ws.run();
    const end = changed.events.find((e) => e.type === 'step-start' && e.step === 'features');
    assert.ok(end && end.type === 'step-start');
    assert.deepEqual(end.reasons, ['sources: snowflake:raw.flights changed']);
    assert.equal(changed.result.steps.get('features')?.outcome, 'succeeded');
  } finally {
    ws.cleanup();
  }
});

test('a failed Snowflake query points at its line and column in the SQL file', async () => {
  const ws = workspace(FLOW, { 'sql/features.sql': 'SELECT id,\n  carrier\nFROM {{ source("raw", "flights") }} WHER id > 1\n' });
  try {
    const { result } = await ws.run({ targets: ['features'] });
    const step = result.steps.get('features');
    assert.equal(step?.outcome, 'failed');
    // Snowflake said "line 4 at position …" of the CREATE statement; the file's line 3, after the source() span
    assert.match(step?.message ?? '', /^sql\/features\.sql:3:\d+: SQL compilation error: syntax error line 4 at position \d+/);
    const column = Number(/^sql\/features\.sql:3:(\d+)/.exec(step!.message!)![1]);
    assert.equal('FROM {{ source("raw", "flights") }} WHER id > 1'.slice(column - 1).startsWith('id'), true, `column ${column}`);
    assert.match(step?.message ?? '', /\(Snowflake error 001003\) \[query id [0-9a-f-]{36}\]/);
  } finally {
    ws.cleanup();
  }
});

test('a cancelled run aborts the running Snowflake query through the driver', async () => {
  const ws = workspace(FLOW, { 'sql/features.sql': 'SELECT 1 AS slow_one\n' });
  try {
    const held = fake.holdNext(/slow_one/);
    const stop = new AbortController();
    const running = ws.run({ targets: ['features'], signal: stop.signal });
    const query = await held;
    stop.abort('cancelled');
    await query.aborted;
    const { result } = await running;
    assert.equal(result.steps.get('features')?.outcome, 'cancelled');
    assert.ok(fake.calls.some((c) => c.kind === 'abort'), 'abort-request sent');
    assert.match(stepLog(ws, result.runId, 'features'), new RegExp(`snowflake query id ${query.queryId}`));
  } finally {
    ws.cleanup();
  }
});

test('replaying with a recorded change time reads the sources through Time Travel', async () => {
  const ws = workspace(FLOW, { 'sql/features.sql': SQL });
  try {
    const { result } = await ws.run({ targets: ['features'], snowflakeAt: '2026-11-30T08:00:00.000Z' });
    assert.equal(result.status, 'succeeded', result.message);
    const created = fake.queries().filter((q) => q.startsWith('CREATE OR REPLACE TABLE')).pop()!;
    assert.match(created, /FROM "ML"\."RAW"\."FLIGHTS" AT\(TIMESTAMP => '2026-11-30T08:00:00\.000Z'::TIMESTAMP_LTZ\)/);
  } finally {
    ws.cleanup();
  }
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('a password the editor handed in reaches the Snowflake client but not the run steps; one the user exported reaches both', async () => {
  const flow = FLOW.replace(
    `run: node -e "require('fs').writeFileSync('input.txt', process.env.FLOWBENCH_INPUT_FEATURES)"\n    outs: [input.txt]`,
    `run: node -e "require('fs').writeFileSync('env.json', JSON.stringify([process.env.SNOWFLAKE_PASSWORD ?? null, process.env.${EDITOR_SECRETS_VARIABLE} ?? null]))"\n    outs: [env.json]`,
  );
  const ws = workspace(flow, { 'sql/features.sql': SQL });
  try {
    setEnv({ [EDITOR_SECRETS_VARIABLE]: 'SNOWFLAKE_PASSWORD' });
    const fromEditor = await ws.run();
    delete process.env[EDITOR_SECRETS_VARIABLE];
    assert.equal(fromEditor.result.status, 'succeeded', fromEditor.result.message);
    assert.deepEqual(JSON.parse(ws.read('env.json')), [null, null], 'the step saw neither the password nor the list naming it');

    const exported = await ws.run({ force: true });
    assert.equal(exported.result.status, 'succeeded', exported.result.message);
    assert.deepEqual(JSON.parse(ws.read('env.json')), [PASSWORD, null]);
  } finally {
    delete process.env[EDITOR_SECRETS_VARIABLE];
    ws.cleanup();
  }
});
