// Validation of source paths that are globs or use ${params.x}: checked against what they name now.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFlow } from '../../core/flow/analyze';
import { tempProject } from '../helpers/project';

const project = tempProject({ 'data/part-1.csv': 'v\n1\n', 'data/2023.csv': 'v\n1\n', 'sql/s.sql': "select * from {{ source('raw', 't') }}\n" });
after(() => project.remove());

function check(path: string, extra = '') {
  const text = `flow: p\nparams: { year: 2023 }\nsources:\n  raw:\n    t: { path: "${path}" }\nsteps:\n  s:\n    sql: sql/s.sql\n${extra}`;
  const a = analyzeFlow(project.path('p.flow.yaml'), text);
  return a.problems.filter((p) => p.severity !== 'hint' && p.code !== 'FB060').map((p) => ({ code: p.code, at: [p.range.start.line, p.range.start.character, p.range.end.character], message: p.message }));
}

test('a glob that matches files and a path with a known param are valid; the param counts as used', () => {
  assert.deepEqual(check('data/part-*.csv'), []);
  assert.deepEqual(check('data/${params.year}.csv'), []);
  const a = analyzeFlow(project.path('p.flow.yaml'), 'flow: p\nparams: { year: 2023 }\nsources:\n  raw:\n    t: { path: "data/${params.year}.csv" }\nsteps:\n  s:\n    sql: sql/s.sql\n');
  assert.deepEqual(a.problems.filter((p) => p.code === 'FB061'), []);
});

test('a glob that matches nothing is FB053 on the path, saying so', () => {
  const found = check('data/parts-*.parquet');
  assert.deepEqual(found.map((p) => [p.code, p.at]), [['FB053', [4, 15, 37]]]);
  assert.match(found[0]!.message, /^Glob 'data\/parts-\*\.parquet' of source 'raw\.t' matches no file \(and no step writes into data\/\)\. Fix the pattern or add the files\.$/);
  project.write('data/parts-1.parquet', '');
  assert.deepEqual(check('data/parts-*.parquet'), [], 'a file added since the last check is seen');
});

test('a glob into a folder a step writes is not reported: the files come from the flow', () => {
  assert.deepEqual(check('gen/*.csv', '  make:\n    run: mkdir -p gen && echo v > gen/a.csv\n    outs: [gen]\n'), []);
});

test('a path with params says what it resolved to; an unknown param is FB021 on the reference', () => {
  const missing = check('data/${params.year}-q1.csv');
  assert.deepEqual(missing.map((p) => p.code), ['FB053']);
  assert.match(missing[0]!.message, /Data file 'data\/\$\{params\.year\}-q1\.csv' \(data\/2023-q1\.csv with the flow's params\) of source 'raw\.t' does not exist/);
  const unknown = check('data/${params.yeer}.csv');
  assert.deepEqual(unknown.map((p) => [p.code, p.at]), [['FB021', [4, 21, 35]]]);
  assert.match(unknown[0]!.message, /Did you mean 'year'\?/);
});

test('a source outside the project is FB045; a URL is not a path', () => {
  assert.deepEqual(check('../elsewhere/*.csv').map((p) => p.code), ['FB045']);
  assert.deepEqual(check('/etc/passwd').map((p) => p.code), ['FB045']);
  assert.deepEqual(check('s3://bucket/data/*.parquet'), []);
});
