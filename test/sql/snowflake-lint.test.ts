// What the validator says about Snowflake profiles and sources (FB140–FB145).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFlow } from '../../core/flow/analyze';
import { tempProject } from '../helpers/project';

function codes(flow: string, files: Record<string, string>): string[] {
  const project = tempProject({ 'f.flow.yaml': flow, ...files });
  try {
    return loadFlow(project.path('f.flow.yaml')).problems.map((p) => `${p.code} ${p.message}`);
  } finally {
    project.remove();
  }
}

test('Snowflake profiles and sources are linted with a remedy each', () => {
  const found = codes(
    `flow: f
warehouses:
  snow: { type: snowflake, account: a1, user: u, database: ML, schema: PUBLIC, authenticator: snowflake_jwk }
  duck: { type: duckdb, connection: dev }
sources:
  raw:
    flights: { relation: ML.RAW.FLIGHTS }
    local: { path: data/local.csv }
    bad: { relation: "just_a_name" }
steps:
  on_snow:
    warehouse: snow
    sql: a.sql
    tests:
      table: [ { row_count: { min: 1 } } ]
  on_duck:
    warehouse: duck
    sql: b.sql
`,
    { 'a.sql': "SELECT * FROM {{ source('raw', 'flights') }} JOIN {{ source('raw', 'local') }} USING (id)\n", 'b.sql': "SELECT * FROM {{ source('raw', 'flights') }}\n", 'data/local.csv': 'id\n1\n' },
  );
  const has = (code: string, text: RegExp) => assert.ok(found.some((f) => f.startsWith(code) && text.test(f)), `${code} ${text} in\n${found.join('\n')}`);
  has('FB140', /Unknown Snowflake authenticator 'snowflake_jwk'. Did you mean 'snowflake_jwt'\?/);
  has('FB141', /runs on Snowflake, which cannot read the local file of source 'raw.local'/);
  has('FB142', /runs on DuckDB, but source 'raw.flights' is a Snowflake table/);
  has('FB143', /`relation: just_a_name` of source 'raw.bad'/);
  has('FB144', /`connection:` only applies to Snowflake profiles/);
  has('FB145', /Data tests do not run on Snowflake steps yet: 'on_snow'/);
  assert.ok(!found.some((f) => f.startsWith('FB012')), 'a relation is enough for a source table');
});

test('a SQL file on a Snowflake warehouse is checked with Snowflake syntax set aside, and says so', async () => {
  const { checkSqlSyntax } = await import('../../core/sql/syntax');
  for (const sql of [
    'SELECT a, b FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1',
    'SELECT v:price::number AS p, src:a.b[0] AS q FROM t',
    'SELECT f.value FROM t, LATERAL FLATTEN(input => t.arr) f',
    'SELECT $1, col$1 FROM my$table',
    'SELECT a FROM t SAMPLE (10)',
    'SELECT a FROM t TABLESAMPLE BERNOULLI (5 ROWS)',
    'SELECT $1 FROM @my_stage/data/ (FILE_FORMAT => my_csv)',
  ]) assert.deepEqual(await checkSqlSyntax(sql, 'snowflake'), [], sql);
  const [wrong] = await checkSqlSyntax("SELECT 'a:b' AS s, v:x FRM t", 'snowflake');
  assert.equal(wrong?.code, 'FB602');
  assert.equal(wrong?.dialect, 'snowflake');
  assert.match(wrong!.message, /targets Snowflake \(its flow's warehouse\) and was checked with the DuckDB parser/);
  // the same text on DuckDB is an error, and the DuckDB parser is named
  const [duck] = await checkSqlSyntax('SELECT a FROM t SAMPLE (10)', 'duckdb');
  assert.equal(duck?.code, 'FB601');
});
