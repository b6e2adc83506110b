// SQL syntax checking with DuckDB's own parser, so the editor agrees exactly with the engine that runs the SQL.
// `json_serialize_sql` parses its argument and reports parser errors with a position; statements it cannot
// serialize (anything but SELECT) still went through the parser first, so "not implemented" means "parses fine".
// Template spans are masked to same-length text first, so every reported offset maps 1:1 back to the file.
import { createHash } from 'node:crypto';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { maskTemplate, type TemplateScan } from './template';

export type SqlDialect = 'duckdb' | 'snowflake';

export const SQL_SYNTAX_ERROR = 'FB601';
export const SQL_SYNTAX_DIALECT_WARNING = 'FB602';
export const SQL_TOO_LARGE = 'FB603';

export interface SqlSyntaxProblem {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** UTF-16 offsets into the original (unmasked) text. */
  start: number;
  end: number;
  /** The dialect the file targets and the parser that checked it. */
  dialect: SqlDialect;
  parser: 'duckdb';
}

/** Past this size the parser is not run: the file is probably generated data, and parsing would stall the editor. */
export const MAX_SQL_CHECK_CHARS = 256 * 1024;

const CACHE_LIMIT = 512;
const cache = new Map<string, SqlSyntaxProblem[]>();

/** `scan`: the text's template scan when the caller already has it. */
export async function checkSqlSyntax(sql: string, dialect: SqlDialect, scan?: TemplateScan): Promise<SqlSyntaxProblem[]> {
  if (sql.length > MAX_SQL_CHECK_CHARS) {
    return [
      {
        code: SQL_TOO_LARGE,
        severity: 'info',
        message: `SQL syntax not checked: the file has ${sql.length} characters (limit ${MAX_SQL_CHECK_CHARS}). Split it into smaller files to get syntax checking.`,
        start: 0,
        end: 0,
        dialect,
        parser: 'duckdb',
      },
    ];
  }
  const key = dialect + ':' + createHash('sha1').update(sql).digest('hex');
  const hit = cache.get(key);
  if (hit) {
    // Re-insert so the map's insertion order doubles as least-recently-used order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const masked = maskTemplate(sql, scan);
  const problems = await parseWithDuckDb(dialect === 'snowflake' ? blankSnowflakeOnly(masked) : masked, dialect);
  cache.set(key, problems);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return problems;
}

async function parseWithDuckDb(masked: string, dialect: SqlDialect): Promise<SqlSyntaxProblem[]> {
  const result = await serialize(masked);
  if (!result || result.error !== true || result.error_type !== 'parser') return [];
  const message = String(result.error_message ?? 'syntax error').replace(/^syntax error\b\s*/, '');
  const cp = Number(result.position);
  const [start, end] = errorSpan(masked, Number.isFinite(cp) ? codePointToUtf16(masked, cp) : 0, message);
  const base = { start, end, dialect, parser: 'duckdb' as const };
  if (dialect === 'snowflake') {
    return [
      {
        ...base,
        code: SQL_SYNTAX_DIALECT_WARNING,
        severity: 'warning',
        message: `Possible SQL syntax error ${message}. This file targets Snowflake (its flow's warehouse) and was checked with the DuckDB parser, Snowflake-only syntax set aside (\`:\` paths, SAMPLE, @stages); ignore this if Snowflake accepts the statement.`,
      },
    ];
  }
  return [{ ...base, code: SQL_SYNTAX_ERROR, severity: 'error', message: `SQL syntax error ${message} (checked with the DuckDB parser).` }];
}

/**
 * Snowflake syntax DuckDB's parser rejects, turned into same-length text it accepts, so a Snowflake file is
 * only flagged for what is likely wrong in both: semi-structured paths (`v:price`, `src:a.b[0]`), row
 * sampling (`SAMPLE (10)`, `TABLESAMPLE BERNOULLI (5 ROWS)`) and stage references (`@stage/path`). QUALIFY,
 * `::` casts, FLATTEN, `$1` and `$` in names parse as they are. Strings and quoted names are left alone.
 */
export function blankSnowflakeOnly(sql: string): string {
  const token = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|(\b[A-Za-z_][\w$]*):(?=[A-Za-z_"])|\b(?:TABLE)?SAMPLE\s*(?:(?:BERNOULLI|ROW|BLOCK|SYSTEM)\s*)?\(\s*[\d.]+\s*(?:ROWS\s*)?\)(?:\s*(?:REPEATABLE|SEED)\s*\(\s*\d+\s*\))?|@[~%]?[\w$.\/"-]+/gi;
  return sql.replace(token, (m, path?: string) => {
    if (path !== undefined) return `${path}_`;
    if (/^['"]|^--|^\/\*/.test(m)) return m;
    if (m.startsWith('@')) return '_'.repeat(m.length);
    return m.replace(/[^\r\n]/g, ' ');
  });
}

/** DuckDB reports positions in code points; JavaScript strings and LSP count UTF-16 code units. */
export function codePointToUtf16(text: string, codePoints: number): number {
  let units = 0;
  for (let seen = 0; seen < codePoints && units < text.length; seen++) {
    const c = text.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length ? 2 : 1;
  }
  return units;
}

/** Widen the parser's single position to the offending token so the squiggle is visible. */
function errorSpan(text: string, at: number, message: string): [number, number] {
  const near = /at or near "(.*)"$/s.exec(message);
  if (near && near[1] && text.startsWith(near[1], at)) return [at, at + near[1].length];
  const contentEnd = text.trimEnd().length;
  if (at >= contentEnd) {
    // "at end of input" points past the last character: mark the last token instead.
    let start = contentEnd;
    while (start > 0 && !/\s/.test(text[start - 1])) start--;
    return [start, contentEnd];
  }
  let end = at;
  while (end < text.length && !/\s/.test(text[end])) end++;
  return [at, end];
}

interface SerializeResult {
  error?: boolean;
  error_type?: string;
  error_message?: string;
  position?: string;
}

let parser: Promise<DuckDBPreparedStatement | undefined> | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function openParser(): Promise<DuckDBPreparedStatement | undefined> {
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection: DuckDBConnection = await instance.connect();
    // Parsing is single-threaded anyway; more threads would only compete with the editor.
    await connection.run('SET threads = 1');
    return await connection.prepare(
      // Only the error fields cross over: a valid query's serialized syntax tree can be large.
      "SELECT j->>'error', j->>'error_type', j->>'error_message', j->>'position' FROM (SELECT json_serialize_sql($1::VARCHAR)::JSON AS j)",
    );
  } catch {
    // Without DuckDB there is no syntax checking; every other feature keeps working.
    return undefined;
  }
}

/** Calls are queued: one prepared statement, one parse at a time. */
function serialize(sql: string): Promise<SerializeResult | undefined> {
  const run = queue.then(async () => {
    parser ??= openParser();
    const statement = await parser;
    if (!statement) return undefined;
    try {
      statement.bindVarchar(1, sql);
      const reader = await statement.runAndReadAll();
      const row = reader.getRows()[0];
      if (!row) return undefined;
      const [error, error_type, error_message, position] = row.map((v) => (v === null ? undefined : String(v)));
      return { error: error === 'true', error_type, error_message, position };
    } catch {
      return undefined;
    }
  });
  queue = run.catch(() => undefined);
  return run;
}
