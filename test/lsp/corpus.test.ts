// Valid SQL must never get a syntax error: TPC-H, DuckDB documentation-style statements and the example
// project's SQL files, all checked by the same function the language server uses.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkSqlSyntax } from '../../core/sql/syntax';

const root = path.resolve(__dirname, '../..');

function sqlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sqlFiles(path.join(dir, d.name)) : d.name.endsWith('.sql') ? [path.join(dir, d.name)] : [],
  );
}

const corpus = sqlFiles(path.join(__dirname, 'corpus'));
const examples = sqlFiles(path.join(root, 'examples'));

test('the corpus holds the 22 TPC-H queries and the DuckDB set', () => {
  assert.equal(corpus.filter((f) => f.includes(`${path.sep}tpch${path.sep}`)).length, 22);
  assert.ok(corpus.filter((f) => f.includes(`${path.sep}duckdb${path.sep}`)).length >= 15);
});

test('valid DuckDB SQL gets zero syntax diagnostics', async () => {
  const files = [...corpus, ...examples];
  const failures: string[] = [];
  for (const file of files) {
    const problems = await checkSqlSyntax(fs.readFileSync(file, 'utf8'), 'duckdb');
    for (const p of problems) failures.push(`${path.relative(root, file)}@${p.start}: ${p.message}`);
  }
  assert.deepEqual(failures, []);
});

test('the same files with a syntax error are caught at the right place', async () => {
  // The check must be able to fail: break each file after its first SELECT and expect an error there.
  for (const file of corpus) {
    const text = fs.readFileSync(file, 'utf8');
    const at = text.search(/\bSELECT\b/i);
    if (at < 0) continue;
    const broken = text.slice(0, at) + 'SELECT FROM WHERE ,' + text.slice(at + 'SELECT'.length);
    const problems = await checkSqlSyntax(broken, 'duckdb');
    assert.equal(problems.length, 1, `${path.relative(root, file)} broken should fail`);
    assert.ok(problems[0]!.start >= at, `${path.relative(root, file)}: error at ${problems[0]!.start}, break at ${at}`);
  }
});
