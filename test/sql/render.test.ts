import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainDuckDbError, lockHolder } from '../../core/sql/duckdb-errors';
import { renderSql } from '../../core/sql/render';
import { paramLiteral, quoteIdent } from '../../core/sql/sql-text';
import { scanTemplate } from '../../core/sql/template';

test('rendered offsets map back to the file: before, inside and after replaced spans and removed comments', () => {
  const sql = "{# note #}select a, {{ params.x }} as x,\n  b from {{ ref('features') }} where c";
  const rendered = renderSql(sql, scanTemplate(sql), (call) => (call.fn === 'ref' ? '"main"."features"' : '42'));
  assert.equal(rendered.text, 'select a, 42 as x,\n  b from "main"."features" where c');
  const back = (needle: string) => rendered.sourceOffset(rendered.text.indexOf(needle));
  assert.equal(back('select'), sql.indexOf('select'));
  assert.equal(back('42'), sql.indexOf('{{ params.x }}'));
  assert.equal(back('as x'), sql.indexOf('as x'));
  assert.equal(back('b from'), sql.indexOf('b from'));
  assert.equal(back('."features"'), sql.indexOf("{{ ref('features') }}"), 'inside a span: its start');
  assert.equal(back('where c'), sql.indexOf('where c'));
  assert.equal(rendered.sourceOffset(rendered.text.length), sql.length);
});

test('DuckDB messages give a one-line summary and the offset under the caret', () => {
  const query = 'select 1,\n  nosuch from t';
  const info = explainDuckDbError('Binder Error: Referenced column "nosuch" not found!\nCandidate bindings: "a"\n\nLINE 2:   nosuch from t\n          ^', query);
  assert.deepEqual(info, { summary: 'Binder Error: Referenced column "nosuch" not found! Candidate bindings: "a"', offset: query.indexOf('nosuch') });
  assert.deepEqual(explainDuckDbError('Catalog Error: Table with name foo does not exist!', 'x'), { summary: 'Catalog Error: Table with name foo does not exist!' });
  const parse = explainDuckDbError('Failed to extract statements: Parser Error: syntax error at or near "FROM"\n\nLINE 1: SELECT 1 +  FROM x\n                    ^', 'SELECT 1 +  FROM x');
  assert.deepEqual(parse, { summary: 'Parser Error: syntax error at or near "FROM"', offset: 12 });
});

test('a lock conflict is recognised with the holding process', () => {
  assert.deepEqual(lockHolder('IO Error: Could not set lock on file "/w.duckdb": Conflicting lock is held in /usr/bin/node (PID 5346). See also https://duckdb.org/docs'), { program: '/usr/bin/node', pid: 5346 });
  assert.equal(lockHolder('IO Error: No files found'), undefined);
});

test('params become SQL literals of their own type; names are quoted', () => {
  assert.equal(paramLiteral(0.5), '0.5');
  assert.equal(paramLiteral("O'Hare"), "'O''Hare'");
  assert.equal(paramLiteral(true), 'TRUE');
  assert.equal(paramLiteral(null), 'NULL');
  assert.equal(paramLiteral(['SEA', 2]), "['SEA', 2]");
  assert.throws(() => paramLiteral(Number.NaN));
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
});
