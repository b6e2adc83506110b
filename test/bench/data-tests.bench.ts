// Data tests and the profile against the same aggregates written by hand: ten column tests and the
// profile of the example's 3M-row staging table (quick mode: its first 100,000 rows) as flowbench runs
// them (DESCRIBE, the fused scan, the histogram/top-values scan), against one hand-written DuckDB query
// computing every test's failing-row count and the profile's per-column statistics in a single scan.
// The two sides alternate rep by rep so machine load hits both alike.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlow } from '../../core/flow/analyze';
import { runChecks } from '../../core/sql/data-tests';
import { atMost, median, runBench, size } from './harness';

const DATA = join(process.cwd(), 'examples/flight-delays/data');
const TESTS = `flow: bench
steps:
  staging:
    sql: staging.sql
    tests:
      columns:
        departure: [not_null]
        delay_minutes: [not_null, { range: { min: -120, max: 1440 } }]
        distance_miles: [{ range: { min: 1, max: 6000 } }]
        origin: [not_null, { matches: '^[A-Z0-9]{3}$' }]
        destination: [not_null, { matches: '^[A-Z0-9]{3}$' }]
        origin_state: [not_null]
        origin_lat: [{ range: { min: -90, max: 90 } }]
`;

const STAGING = (limit: string) => `CREATE TABLE staging AS
SELECT f.date AS departure, CAST(f.delay AS INTEGER) AS delay_minutes, CAST(f.distance AS INTEGER) AS distance_miles,
  f.origin, f.destination, o.state AS origin_state, o.latitude AS origin_lat, o.longitude AS origin_lon,
  d.state AS dest_state, d.latitude AS dest_lat, d.longitude AS dest_lon
FROM (SELECT * FROM read_parquet('${DATA}/flights-3m.parquet') ${limit}) AS f
JOIN read_csv('${DATA}/airports.csv') AS o ON o.iata = f.origin
JOIN read_csv('${DATA}/airports.csv') AS d ON d.iata = f.destination
WHERE f.date IS NOT NULL AND f.delay BETWEEN -120 AND 1440 AND f.distance > 0 AND f.origin <> f.destination`;

/** The same numbers, by hand, in one scan. */
const numeric = (c: string) => `count(${c}), approx_count_distinct(${c}), min(${c})::DOUBLE, max(${c})::DOUBLE, avg(${c}), stddev_samp(${c})`;
const text = (c: string) => `count(${c}), approx_count_distinct(${c}), min(${c})::VARCHAR, max(${c})::VARCHAR`;
const HAND_WRITTEN = `SELECT count(*),
  count(*) FILTER (WHERE departure IS NULL), count(*) FILTER (WHERE delay_minutes IS NULL),
  count(*) FILTER (WHERE delay_minutes < -120 OR delay_minutes > 1440), count(*) FILTER (WHERE distance_miles < 1 OR distance_miles > 6000),
  count(*) FILTER (WHERE origin IS NULL), count(*) FILTER (WHERE origin IS NOT NULL AND NOT regexp_matches(origin, '^[A-Z0-9]{3}$')),
  count(*) FILTER (WHERE destination IS NULL), count(*) FILTER (WHERE destination IS NOT NULL AND NOT regexp_matches(destination, '^[A-Z0-9]{3}$')),
  count(*) FILTER (WHERE origin_state IS NULL), count(*) FILTER (WHERE origin_lat < -90 OR origin_lat > 90),
  ${text('departure')}, ${numeric('delay_minutes')}, ${numeric('distance_miles')}, ${text('origin')}, ${text('destination')},
  ${text('origin_state')}, ${numeric('origin_lat')}, ${numeric('origin_lon')}, ${text('dest_state')}, ${numeric('dest_lat')}, ${numeric('dest_lon')}
FROM staging`;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

runBench(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-data-tests-bench-'));
  const db = await DuckDBInstance.create(join(dir, 'bench.duckdb'));
  const conn = await db.connect();
  try {
    await conn.run(STAGING(size('', 'LIMIT 100000')));
    const rows = Number((await (await conn.run('SELECT count(*) FROM staging')).getRowsJS())[0]![0]);
    const tests = analyzeFlow(join(dir, 'bench.flow.yaml'), TESTS).flow.steps.get('staging')!.tests!.tests;
    const queries = { rows: async (sql: string) => (await conn.run(sql)).getRowObjectsJS(), json: async (sql: string) => (await conn.run(sql)).getRowObjectsJS() };
    const request = { table: 'staging', relation: '"main"."staging"', tests, profile: true, flowFile: join(dir, 'bench.flow.yaml'), relationOf: () => '', customSql: () => '' };
    const ours = () => runChecks(queries, request);
    const theirs = () => conn.run(HAND_WRITTEN);
    const first = await ours();
    if (first.tests.length !== 10 || first.tests.some((t) => t.status !== 'pass')) throw new Error(`expected 10 passing tests: ${JSON.stringify(first.tests)}`);
    await theirs();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < size(7, 2); i++) {
      a.push(await timed(ours));
      b.push(await timed(theirs));
    }
    const ratio = median(a) / median(b);
    console.log(
      `10 column tests + profile (histograms, top values) on ${rows.toLocaleString('en-US')} staging rows: flowbench p50 ${(median(a) / 1000).toFixed(2)} s, ` +
        `hand-written single-scan query p50 ${(median(b) / 1000).toFixed(2)} s, ratio ${ratio.toFixed(2)}× (target ≤ 1.3×) ${atMost(ratio, 1.3)}`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});
