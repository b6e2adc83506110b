import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowErrors, queryFiles, sqlFixture } from './fixture';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');
const airportsCsv = readFileSync(join(DATA, 'airports.csv'), 'utf8');
const flightsJson = readFileSync(join(DATA, 'flights-2k.json'), 'utf8');
const flightsParquet = join(DATA, 'flights-3m.parquet');

const flow = `flow: sources
sources:
  raw:
    airports: { path: data/airports.csv }
    airports_dat: { path: data/airports.dat, format: csv }
    flights_json: { path: data/flights.json }
    flights_pq: { path: data/flights-3m.parquet }
steps:
  us_airports:
    sql: sql/us_airports.sql
  legacy_airports:
    sql: sql/legacy_airports.sql
  json_origins:
    sql: sql/json_origins.sql
  pq_origins:
    sql: sql/pq_origins.sql
`;

const fx = sqlFixture(flow, {
  'data/airports.csv': airportsCsv,
  'data/airports.dat': airportsCsv,
  'data/flights.json': flightsJson,
  'sql/us_airports.sql': "select iata, name, state\nfrom {{ source('raw', 'airports') }}\nwhere country = 'USA'\n",
  'sql/legacy_airports.sql': "select count(*) as n from {{ source('raw', 'airports_dat') }}",
  'sql/json_origins.sql': "-- flights per origin\nselect origin, count(*) as n\nfrom {{ source('raw', 'flights_json') }}\ngroup by origin; -- one statement, trailing semicolon\n",
  'sql/pq_origins.sql': "select origin, count(*) as n, avg(delay) as mean_delay\nfrom {{ source(\"raw\", \"flights_pq\") }}\nwhere origin in ('SEA', 'SFO')\ngroup by origin\n",
}, { 'data/flights-3m.parquet': flightsParquet }); // shared data comes into the project through a symlink
after(() => fx.close());

test('the flow under test is valid', () => {
  assert.deepEqual(flowErrors(fx.analysis), []);
});

test('a CSV source becomes a view and the step a table exported to Parquet', async () => {
  const result = await fx.run('us_airports');
  const [[expected]] = await queryFiles(`select count(*) from read_csv_auto('${fx.project.path('data/airports.csv')}') where country = 'USA'`) as [[bigint]];
  assert.equal(result.relation, '"main"."us_airports"');
  assert.equal(result.kind, 'table');
  assert.equal(result.rows, Number(expected));
  assert.ok(result.rows! > 3000);
  assert.equal(result.parquet, fx.project.path('.flowbench/tables/us_airports.parquet'));
  const [[rows, states]] = await queryFiles(`select count(*), count(distinct state) from read_parquet('${result.parquet}')`) as [[bigint, bigint]];
  assert.equal(Number(rows), result.rows);
  assert.ok(Number(states) > 50);
  assert.ok(fx.logs.some((l) => l === 'us_airports: source raw.airports: data/airports.csv (csv)'), fx.logs.join('\n'));
  assert.ok(fx.logs.some((l) => /"main"\."us_airports": 3,\d{3} rows in [\d.]+ s → \.flowbench\/tables\/us_airports\.parquet/.test(l)), fx.logs.join('\n'));
});

test('`format:` overrides the extension', async () => {
  const result = await fx.run('legacy_airports');
  const [[n]] = await queryFiles(`select n from read_parquet('${result.parquet}')`) as [[bigint]];
  assert.equal(Number(n), airportsCsv.trim().split('\n').length - 1);
});

test('a JSON source is read with read_json_auto; a trailing semicolon and comment are fine', async () => {
  const result = await fx.run('json_origins');
  const [[flights, origins]] = await queryFiles(`select sum(n), count(*) from read_parquet('${result.parquet}')`) as [[bigint, bigint]];
  assert.equal(Number(flights), 2000);
  assert.equal(Number(origins), result.rows);
});

test('a Parquet source by absolute path is read in place', async () => {
  const result = await fx.run('pq_origins');
  const expected = await queryFiles(
    `select origin, count(*), avg(delay) from read_parquet('${flightsParquet}') where origin in ('SEA', 'SFO') group by origin order by origin`,
  );
  const actual = await queryFiles(`select origin, n, mean_delay from read_parquet('${result.parquet}') order by origin`);
  assert.equal(result.rows, 2);
  assert.deepEqual(actual, expected);
});

test('a glob path reads every matching file as one source', async () => {
  const glob = sqlFixture(
    "flow: glob\nsources:\n  raw:\n    parts: { path: 'data/part-*.csv' }\nsteps:\n  total:\n    sql: total.sql\n",
    { 'data/part-1.csv': 'n\n1\n2\n', 'data/part-2.csv': 'n\n30\n', 'total.sql': "select sum(n) as total, count(*) as rows from {{ source('raw', 'parts') }}" },
  );
  try {
    const result = await glob.run('total');
    assert.deepEqual(await queryFiles(`select total, rows from read_parquet('${result.parquet}')`), [[33, 3n]]);
  } finally {
    await glob.close();
  }
});

test('a missing source file is an error at the source path in the flow file', async () => {
  const broken = sqlFixture(
    'flow: broken\nsources:\n  raw:\n    flights: { path: data/missing.csv }\n    odd: { path: data/flights.bin }\nsteps:\n  a:\n    sql: a.sql\n  b:\n    sql: b.sql\n',
    { 'a.sql': "select * from {{ source('raw', 'flights') }}", 'b.sql': "select * from {{ source('raw', 'odd') }}", 'data/flights.bin': 'x' },
  );
  try {
    await assert.rejects(broken.run('a'), (e: Error & { location?: unknown }) => {
      assert.match(e.message, /^demo\.flow\.yaml:4:22: source raw\.flights: file 'data\/missing\.csv' does not exist/);
      assert.deepEqual(e.location, { file: broken.project.path('demo.flow.yaml'), line: 4, column: 22 });
      return true;
    });
    await assert.rejects(broken.run('b'), /SqlStepError: demo\.flow\.yaml:5:18: source raw\.odd: cannot tell the format of 'data\/flights\.bin' from its extension; add `format: csv`/);
  } finally {
    await broken.close();
  }
});
