import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlFixture } from './fixture';

const files: Record<string, string> = {
  'data/flights.csv': 'origin,delay\nSEA,5\nSFO,40\n',
  'sql/staging.sql': "select origin, delay from {{ source('raw', 'flights') }}",
  'sql/binder.sql': [
    "{# features for the model #}-- a comment",
    'select',
    '  s.origin,',
    '  {{ params.threshold }} as threshold,',
    '  s.nosuch_col',
    "from {{ ref('staging') }} s",
  ].join('\n'),
  'sql/same_line.sql': "select * from {{ ref('staging') }} s where s.delay > {{ params.threshold }} and s.missing = 1",
  'sql/syntax.sql': "select origin,, delay\nfrom {{ ref('staging') }}",
  'sql/unbuilt.sql': "select *\nfrom {{ ref('never_run') }}",
  'sql/never_run.sql': 'select 1 as x',
  'sql/two.sql': "select ';' as a, \"x;y\" -- ;\nfrom (select 1 as \"x;y\"); /* ; */\n  select 2;\n",
  'sql/ddl.sql': '-- not a query\ncreate table t (a integer)',
  'sql/empty.sql': '-- nothing here\n',
  'sql/long.sql': `select ${Array.from({ length: 40 }, (_, i) => `${i} as c${i}`).join(', ')}, {{ params.threshold }} as t, wrong_one from {{ ref('staging') }}`,
  'sql/unicode.sql': "select 'Zürich → Genève' as route, nope from {{ ref('staging') }}",
  'sql/bad_ref.sql': "select * from {{ ref('stagin') }}",
  'sql/run_ref.sql': "select * from {{ ref('train') }}",
  'sql/bad_param.sql': 'select {{ params.nope }} as x',
  'sql/bad_source.sql': "select * from {{ source('raw', 'planes') }}",
  'sql/unclosed.sql': "select * from {{ ref('staging') ",
};

const steps = Object.keys(files)
  .filter((f) => f.startsWith('sql/'))
  .map((f) => `  ${f.slice(4, -4)}:\n    sql: ${f}\n`)
  .join('');
const flow = `flow: errors\nparams:\n  threshold: 15\nsources:\n  raw:\n    flights: { path: data/flights.csv }\nsteps:\n${steps}  train:\n    run: echo hi\n`;

const fx = sqlFixture(flow, files);
before(() => fx.run('staging'));
after(() => fx.close());

/** The step's error message and location. */
async function failure(step: string): Promise<{ message: string; location?: { file: string; line: number; column?: number } }> {
  try {
    await fx.run(step);
  } catch (e) {
    return e as { message: string; location?: { file: string; line: number; column?: number } };
  }
  assert.fail(`${step} should fail`);
}

test('a binder error maps to the SQL file line:col across template spans and comments on earlier lines', async () => {
  const e = await failure('binder');
  assert.match(e.message, /^sql\/binder\.sql:5:3: Binder Error: .*"nosuch_col"/);
  assert.ok(e.message.includes('\n  5 |   s.nosuch_col\n    |   ^'), e.message);
  assert.deepEqual(e.location, { file: fx.project.path('sql/binder.sql'), line: 5, column: 3 });
});

test('an error after template spans on the same line gets the column of the file, not of the rendered SQL', async () => {
  const e = await failure('same_line');
  const column = files['sql/same_line.sql']!.indexOf('s.missing') + 1;
  assert.match(e.message, new RegExp(`^sql/same_line\\.sql:1:${column}: Binder Error: .*"missing"`));
});

test('a syntax error points at the offending token', async () => {
  const e = await failure('syntax');
  assert.match(e.message, /^sql\/syntax\.sql:1:15: Parser Error: syntax error at or near ","/);
});

test('an error inside a rendered template span points at the start of that span', async () => {
  const e = await failure('unbuilt');
  assert.match(e.message, /^sql\/unbuilt\.sql:2:6: Catalog Error: Table with name never_run does not exist/);
});

test('DuckDB shortens long lines in its messages; the column still maps', async () => {
  const e = await failure('long');
  const column = files['sql/long.sql']!.indexOf('wrong_one') + 1;
  assert.match(e.message, new RegExp(`^sql/long\\.sql:1:${column}: Binder Error: Referenced column "wrong_one"`));
});

test('columns count UTF-16 code units after non-ASCII text', async () => {
  const e = await failure('unicode');
  const column = files['sql/unicode.sql']!.indexOf('nope') + 1;
  assert.match(e.message, new RegExp(`^sql/unicode\\.sql:1:${column}: Binder Error`));
});

test('more than one statement, a non-SELECT statement or no statement is refused with a remedy', async () => {
  assert.match((await failure('two')).message, /^sql\/two\.sql:3:3: the file has 2 statements, but a SQL step is exactly one query .* Move the others into steps of their own\.\n/);
  assert.match((await failure('ddl')).message, /^sql\/ddl\.sql:2:1: a SQL step is one SELECT query .*not a CREATE statement\./);
  assert.match((await failure('empty')).message, /^sql\/empty\.sql: the file has no SQL statement: write one SELECT query\.$/);
});

test('template calls that cannot be resolved are errors at their argument', async () => {
  assert.match((await failure('bad_ref')).message, /^sql\/bad_ref\.sql:1:23: ref\('stagin'\): no step is named 'stagin'\./);
  assert.match((await failure('run_ref')).message, /^sql\/run_ref\.sql:1:23: ref\('train'\): 'train' is a run step and has no table/);
  assert.match((await failure('bad_param')).message, /^sql\/bad_param\.sql:1:18: params\.nope: no such param/);
  assert.match((await failure('bad_source')).message, /^sql\/bad_source\.sql:1:33: source\('raw', 'planes'\): source 'raw' has no table 'planes'\./);
  assert.match((await failure('unclosed')).message, /^sql\/unclosed\.sql:1:15: Unclosed '\{\{'/);
});

test('errors carry no stack-trace noise in the message', async () => {
  const e = await failure('binder');
  assert.ok(!/\n\s+at /.test(e.message));
});
