// The SQL of data tests and profiles (DuckDB dialect), as text: one fused aggregate query computes every
// column test's failing-row count and the profile's per-column statistics in a single scan; a second
// small one bins numbers and counts frequent strings, using the first one's min, max and distinct
// estimates. Anything that needs another table (relationships, row_count ratios) or a user's query
// (custom tests) is a query of its own. Pure: data-tests.ts runs these.
import type { DataTest } from '../flow/model';
import { paramLiteral, quoteIdent, quoteLiteral } from './sql-text';

export const HISTOGRAM_BINS = 10;
export const TOP_VALUES = 5;
/** Strings with at most this many distinct values get exact top counts (DuckDB's histogram); others approx_top_k. */
export const EXACT_TOP_LIMIT = 1000;
export const SAMPLE_ROWS = 5;
/**
 * Histograms and top values of a larger table come from a block sample of about this many rows (DuckDB's
 * system sampling reads only the sampled vectors): measured on the example's 3M-row staging table, the full
 * second scan cost as much as 90% of the fused one, a sample of this size a fifth of that, and bin shares
 * move by well under a percentage point.
 */
export const DISTRIBUTION_SAMPLE_ROWS = 500_000;

export interface Column {
  name: string;
  type: string;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
export const isNumeric = (type: string) => NUMERIC.test(type);
const isText = (type: string) => type === 'VARCHAR' || type === 'BOOLEAN' || type.startsWith('ENUM');

/** Rows that fail a column test that is a per-row condition; undefined for tests that are not. */
export function failingPredicate(test: DataTest): string | undefined {
  const c = test.column ? quoteIdent(test.column.value) : '';
  switch (test.kind) {
    case 'not_null':
      return `${c} IS NULL`;
    case 'accepted_values':
      return `${c} IS NOT NULL AND ${c} NOT IN (${test.values!.map((v) => paramLiteral(v)).join(', ')})`;
    case 'range': {
      const parts = [];
      if (test.min) parts.push(`${c} < ${literal(test.min.value)}`);
      if (test.max) parts.push(`${c} > ${literal(test.max.value)}`);
      return parts.join(' OR ');
    }
    case 'matches':
      return `${c} IS NOT NULL AND NOT regexp_matches(CAST(${c} AS VARCHAR), ${quoteLiteral(test.pattern!.value)})`;
    default:
      return undefined;
  }
}

function literal(v: number | string): string {
  return typeof v === 'number' ? String(v) : quoteLiteral(v);
}

/** The failing-row count of a test in the fused scan, if it has one there. */
export function fusedCount(test: DataTest): string | undefined {
  const predicate = failingPredicate(test);
  if (predicate) return `count(*) FILTER (WHERE ${predicate})`;
  if (test.kind === 'unique') return `count(${quoteIdent(test.column!.value)}) - count(DISTINCT ${quoteIdent(test.column!.value)})`;
  if (test.kind === 'unique_combination') return `count(*) - count(DISTINCT (${test.columns!.map((c) => quoteIdent(c.value)).join(', ')}))`;
  if (test.kind === 'freshness') {
    return `epoch(CAST(now() AS TIMESTAMP)) - epoch(CAST(max(${quoteIdent(test.column!.value)}) AS TIMESTAMP))`;
  }
  return undefined;
}

/** Select-list items of the profile in the fused scan, per column: p<i>_n, _d, _min, _max, _mean, _std. */
function profileItems(columns: Column[]): string[] {
  const items: string[] = [];
  columns.forEach((col, i) => {
    const c = quoteIdent(col.name);
    items.push(`count(${c}) AS p${i}_n`, `approx_count_distinct(${c}) AS p${i}_d`);
    if (isNumeric(col.type)) {
      items.push(`CAST(min(${c}) AS DOUBLE) AS p${i}_min`, `CAST(max(${c}) AS DOUBLE) AS p${i}_max`, `avg(${c}) AS p${i}_mean`, `stddev_samp(${c}) AS p${i}_std`);
    } else if (!/^(STRUCT|MAP|LIST|UNION)|\[\]$/.test(col.type)) {
      items.push(`CAST(min(${c}) AS VARCHAR) AS p${i}_min`, `CAST(max(${c}) AS VARCHAR) AS p${i}_max`);
    }
  });
  return items;
}

/** The one scan: `rows`, t<i> per fused test (index into `tests`), the profile's items. */
export function fusedQuery(relation: string, tests: DataTest[], columns: Column[] | undefined): string {
  const items = ['count(*) AS "rows"'];
  tests.forEach((t, i) => {
    const expr = fusedCount(t);
    if (expr) items.push(`${expr} AS t${i}`);
  });
  if (columns) items.push(...profileItems(columns));
  return `SELECT\n  ${items.join(',\n  ')}\nFROM ${relation}`;
}

export interface FirstPass {
  min?: number;
  max?: number;
  distinct: number;
}

/**
 * The second scan: h<i> equal-width bin counts for numbers, top values for strings, and `sampled`, the rows
 * they were counted over (a sample of a table with more than DISTRIBUTION_SAMPLE_ROWS rows); undefined when
 * nothing needs it.
 */
export function distributionQuery(relation: string, columns: Column[], first: FirstPass[], rows: number): string | undefined {
  const items: string[] = ['count(*) AS sampled'];
  columns.forEach((col, i) => {
    const c = quoteIdent(col.name);
    const { min, max, distinct } = first[i]!;
    if (isNumeric(col.type) && min !== undefined && max !== undefined && max > min) {
      const width = (max - min) / HISTOGRAM_BINS;
      items.push(`histogram(least(CAST(floor((${c} - ${min}) / ${width}) AS INTEGER), ${HISTOGRAM_BINS - 1})) AS h${i}`);
    } else if (isText(col.type) && distinct > 0) {
      items.push(distinct <= EXACT_TOP_LIMIT ? `histogram(${c}) AS h${i}` : `approx_top_k(${c}, ${TOP_VALUES}) AS h${i}`);
    }
  });
  if (items.length === 1) return undefined;
  const percent = rows > DISTRIBUTION_SAMPLE_ROWS ? (100 * DISTRIBUTION_SAMPLE_ROWS) / rows : undefined;
  const sample = percent ? ` USING SAMPLE ${percent.toFixed(4)} PERCENT (system, 42)` : '';
  return `SELECT\n  ${items.join(',\n  ')}\nFROM ${relation}${sample}`;
}

/** Up to SAMPLE_ROWS failing rows of a test; for unique tests, the duplicated values with their counts. */
export function sampleQuery(relation: string, test: DataTest, toRelation?: string): string | undefined {
  const predicate = failingPredicate(test);
  if (predicate) return `SELECT * FROM ${relation} WHERE ${predicate} LIMIT ${SAMPLE_ROWS}`;
  const cols = test.kind === 'unique' ? [test.column!.value] : test.kind === 'unique_combination' ? test.columns!.map((c) => c.value) : undefined;
  if (cols) {
    const list = cols.map(quoteIdent).join(', ');
    const notNull = test.kind === 'unique' ? ` WHERE ${list} IS NOT NULL` : '';
    return `SELECT ${list}, count(*) AS "rows" FROM ${relation}${notNull} GROUP BY ALL HAVING count(*) > 1 ORDER BY "rows" DESC, ${list} LIMIT ${SAMPLE_ROWS}`;
  }
  if (test.kind === 'relationships') return `${orphans(relation, test, toRelation!, 'SELECT t.*')} LIMIT ${SAMPLE_ROWS}`;
  if (test.kind === 'freshness') return `SELECT max(${quoteIdent(test.column!.value)}) AS newest FROM ${relation}`;
  return undefined;
}

/** Rows of `relation` whose value has no match in the `to` table. */
export function orphans(relation: string, test: DataTest, toRelation: string, select: string): string {
  const c = quoteIdent(test.column!.value);
  return `${select} FROM ${relation} AS t WHERE t.${c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${toRelation} AS p WHERE p.${quoteIdent(test.field!.value)} = t.${c})`;
}
