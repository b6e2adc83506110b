// Streaming a Snowflake result into Parquet: the real driver reads a result of many chunks from the fake
// Snowflake, and exportToParquet writes it through a scratch DuckDB with each column's type.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SnowflakeSession } from '../../core/sql/snowflake-client';
import { EXPORT_BATCH_ROWS, exportToParquet } from '../../core/sql/snowflake-export';
import { startFakeSnowflake, type FakeSnowflake } from '../helpers/fake-snowflake/server';
import { queryFiles } from './fixture';

let fake: FakeSnowflake;
let dir: string;
let session: SnowflakeSession;
const ROWS = 3 * EXPORT_BATCH_ROWS + 1234;

before(async () => {
  fake = await startFakeSnowflake({ firstRows: 100, chunkRows: 500 });
  fake.addUser('ana', { password: 'pw' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-sfexport-'));
  session = await SnowflakeSession.open({ account: 'fakeacct', user: 'ana', authenticator: 'SNOWFLAKE', password: 'pw', host: fake.host, port: fake.port, protocol: 'http', origin: {} });
});

after(async () => {
  await session.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await fake.close();
});

test('a result of many chunks streams into a typed Parquet file, and the scratch database goes', async () => {
  const before = fake.calls.filter((c) => c.kind === 'chunk').length;
  const stream = await session.stream({
    sql: `SELECT range AS id, (range * 0.25)::DECIMAL(12, 2) AS price, range / 3.0 AS ratio, 'r' || range AS label,
      range % 2 = 0 AS even, DATE '2026-01-01' + (range % 30)::INTEGER AS day,
      TIMESTAMP '2026-01-01 00:00:00' + to_seconds(range) AS ts, CASE WHEN range % 10 = 0 THEN NULL ELSE range END AS sparse
      FROM range(${ROWS})`,
    signal: new AbortController().signal,
  });
  const parquet = path.join(dir, 'out.parquet');
  const { rows } = await exportToParquet(stream, parquet, dir, new AbortController().signal);
  assert.equal(rows, ROWS);
  assert.equal(fake.calls.filter((c) => c.kind === 'chunk').length - before, Math.ceil((ROWS - 100) / 500));
  const [summary] = await queryFiles(`SELECT count(*), sum(id), sum(price), count(sparse), min(day), max(ts) FROM read_parquet('${parquet}')`);
  assert.deepEqual(summary!.slice(0, 4).map(String), [String(ROWS), String((ROWS * (ROWS - 1)) / 2), ((ROWS * (ROWS - 1)) / 2 * 0.25).toFixed(2), String(ROWS - Math.ceil(ROWS / 10))]);
  assert.equal((summary![4] as Date).toISOString(), '2026-01-01T00:00:00.000Z');
  const types = (await queryFiles(`DESCRIBE SELECT * FROM read_parquet('${parquet}')`)).map((t) => t.slice(0, 2));
  assert.deepEqual(types.map((t) => t.join(' ')), ['id BIGINT', 'price DECIMAL(12,2)', 'ratio DOUBLE', 'label VARCHAR', 'even BOOLEAN', 'day DATE', 'ts TIMESTAMP', 'sparse BIGINT']);
  assert.deepEqual(fs.readdirSync(dir), ['out.parquet'], 'no scratch database or temporary file left');
});
