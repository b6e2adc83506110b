// SQL steps on embedded DuckDB against doing the same work with DuckDB directly: a 3-million-row
// Parquet source materialized and exported (where DuckDB's own time dominates), and a trivial
// query (where what flowbench adds per step shows: template rendering, the single-query check,
// the transaction, the atomic export). The two sides alternate rep by rep so machine load hits both alike.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlow } from '../../core/flow/analyze';
import { createSqlExecutor } from '../../core/sql/execute';
import { atMost, median, QUICK, runBench, size } from './harness';

const FLIGHTS_3M = join(process.cwd(), 'node_modules/vega-datasets/data/flights-3m.parquet');
/** Quick mode reads the first rows of the same file, written to a smaller Parquet file. */
const QUICK_ROWS = 100_000;
const BIG = "select origin, destination, delay, distance, hour(date) as hour\nfrom {{ source('raw', 'flights') }}\nwhere delay is not null\n";
const SMALL = 'select 1 as x, 2 as y\n';

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

/** Figures for one workload; `target` bounds the ratio, or with `overheadTarget` the added milliseconds. */
async function compare(label: string, source: string, sql: string, reps: number, target: { ratio: number } | { overheadMs: number }, unit: 'ms' | 's'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-sql-bench-'));
  writeFileSync(join(dir, 'step.sql'), sql);
  // Sources stay inside the project; a symlink brings the shared file in, as a user would.
  symlinkSync(source, join(dir, 'flights.parquet'));
  const flowText = `flow: bench\nsources:\n  raw:\n    flights: { path: flights.parquet }\nsteps:\n  step:\n    sql: step.sql\n`;
  const analysis = analyzeFlow(join(dir, 'bench.flow.yaml'), flowText);
  const executor = createSqlExecutor({ flow: analysis.flow, stateDir: join(dir, '.flowbench') });
  const request = { step: analysis.flow.steps.get('step')!, sql: analysis.sql.get('step')!, log: () => {}, signal: new AbortController().signal };

  mkdirSync(join(dir, 'bare'));
  const db = await DuckDBInstance.create(join(dir, 'bare', 'warehouse.duckdb'));
  const conn: DuckDBConnection = await db.connect();
  await conn.run('CREATE SCHEMA raw');
  await conn.run(`CREATE VIEW raw.flights AS SELECT * FROM read_parquet('${source}')`);
  const bareSql = sql.replace(/\{\{ source\('raw', 'flights'\) \}\}/, 'raw.flights');
  const bare = async () => {
    await conn.run(`CREATE OR REPLACE TABLE step AS ${bareSql}`);
    await conn.run(`COPY step TO '${join(dir, 'bare', 'tmp.parquet')}' (FORMAT parquet)`);
    renameSync(join(dir, 'bare', 'tmp.parquet'), join(dir, 'bare', 'step.parquet'));
  };
  try {
    await executor.run(request); // warm-up: opens the warehouse, creates the source view
    await bare();
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < reps; i++) {
      ours.push(await timed(() => executor.run(request)));
      theirs.push(await timed(bare));
    }
    const a = median(ours);
    const b = median(theirs);
    const show = (ms: number) => (unit === 's' ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
    const ratio = a / b;
    const verdict =
      'ratio' in target
        ? ` (target ≤ ${target.ratio}×) ${atMost(ratio, target.ratio)}`
        : `, adds ${(a - b).toFixed(1)} ms per step (target ≤ ${target.overheadMs} ms) ${atMost(a - b, target.overheadMs)}`;
    console.log(`${label}: flowbench p50 ${show(a)}, bare DuckDB p50 ${show(b)}, ratio ${ratio.toFixed(2)}×${verdict}`);
  } finally {
    await executor.close();
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The source file: the 3M-row flights, or in quick mode its first rows in a file of their own. */
async function flightsSource(dir: string): Promise<{ file: string; rows: string }> {
  if (!QUICK) return { file: FLIGHTS_3M, rows: '3M-row' };
  const file = join(dir, 'flights-quick.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (SELECT * FROM read_parquet('${FLIGHTS_3M}') LIMIT ${QUICK_ROWS}) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
  return { file, rows: `${QUICK_ROWS / 1000}k-row` };
}

runBench(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-sql-source-'));
  try {
    const source = await flightsSource(dir);
    await compare(`SQL step over a ${source.rows} Parquet source (CREATE TABLE + Parquet export)`, source.file, BIG, size(7, 2), { ratio: 1.15 }, 's');
    await compare('trivial SQL step (what flowbench adds per step)', source.file, SMALL, size(40, 5), { overheadMs: 10 }, 'ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
