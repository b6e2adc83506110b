// Runs a table's data tests and profile in the warehouse: the fused scan (every per-row column test,
// unique counts, freshness and the profile's statistics at once), a second scan for histograms and top
// values, one anti-join per relationships test, a count per row_count ratio and custom test; then
// failing-row samples only for the tests that failed. A test that cannot run (a missing column, a
// query DuckDB rejects) is reported as `error` with the reason; nothing here throws for bad tests.
import type { DataTest } from '../flow/model';
import type { ColumnProfile, TableProfile, TestResult } from '../runs/types';
import { closest } from '../flow/suggest';
import {
  distributionQuery,
  fusedCount,
  fusedQuery,
  HISTOGRAM_BINS,
  isNumeric,
  orphans,
  sampleQuery,
  TOP_VALUES,
  type Column,
  type FirstPass,
} from './data-tests-sql';

type Row = Record<string, unknown>;

export interface CheckQueries {
  /** Rows as JS values (BIGINT as bigint). */
  rows(sql: string): Promise<Row[]>;
  /** Rows as JSON-safe values, for samples kept in the run record. */
  json(sql: string): Promise<Row[]>;
}

export interface CheckRequest {
  /** The tested table as users name it: a step, or `source.table`. */
  table: string;
  relation: string;
  tests: DataTest[];
  profile: boolean;
  /** The flow file, for the tests' locations. */
  flowFile: string;
  /** What a `to:` or ratio `of` name renders to; throws with a message for a table that cannot be read. */
  relationOf(name: string): string;
  /** The rendered query of a `sql` test; throws with a located message when it cannot be rendered. */
  customSql(test: DataTest): string;
}

export interface CheckOutcome {
  tests: TestResult[];
  profile?: TableProfile;
}

export async function runChecks(q: CheckQueries, req: CheckRequest): Promise<CheckOutcome> {
  const columns = (await q.rows(`DESCRIBE SELECT * FROM ${req.relation}`)).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  const names = columns.map((c) => c.name);
  const results: TestResult[] = req.tests.map((t) => ({
    name: testName(t),
    kind: t.kind,
    table: req.table,
    ...(t.column && { column: t.column.value }),
    severity: t.severity,
    status: 'pass',
    location: { file: req.flowFile, line: t.range.start.line + 1, column: t.range.start.character + 1 },
  }));
  const fail = (i: number, status: 'fail' | 'error', message: string, failing?: number) => Object.assign(results[i]!, { status, message, ...(failing !== undefined && { failing }) });

  // Tests on columns the table does not have never reach a query.
  const runnable = req.tests.map((t, i) => {
    const missing = [t.column, ...(t.columns ?? [])].find((c) => c && !names.includes(c.value));
    if (!missing) return true;
    const guess = closest(missing.value, names);
    fail(i, 'error', `column '${missing.value}' does not exist in ${req.table}.${guess ? ` Did you mean '${guess}'?` : ''} Columns: ${names.join(', ')}.`);
    return false;
  });

  const fused = req.tests.map((t, i) => (runnable[i] && fusedCount(t) ? t : undefined));
  const first = await fusedScan(q, req, fused, req.profile ? columns : undefined, fail);
  const rows = first.rows;

  for (const [i, t] of req.tests.entries()) {
    if (!runnable[i] || results[i]!.status !== 'pass') continue;
    try {
      const count = fused[i] ? Number(first.row![`t${i}`] ?? 0) : await separateCount(q, req, t, rows);
      judge(t, count, rows, await ratioBounds(q, req, t), (status, message, failing) => fail(i, status, message, failing));
    } catch (e) {
      fail(i, 'error', errorText(e));
    }
  }
  // samples only for what failed
  for (const [i, t] of req.tests.entries()) {
    if (results[i]!.status !== 'fail') continue;
    const sql = t.kind === 'sql' ? `SELECT * FROM (\n${req.customSql(t)}\n) LIMIT 5` : sampleQuery(req.relation, t, t.to && req.relationOf(t.to.value));
    if (sql) results[i]!.sample = await q.json(sql).catch(() => []);
  }
  const profile = req.profile && first.row ? await profileOf(q, req.relation, columns, first.row, rows) : undefined;
  return { tests: results, ...(profile && { profile }) };
}

async function fusedScan(
  q: CheckQueries,
  req: CheckRequest,
  fused: (DataTest | undefined)[],
  columns: Column[] | undefined,
  fail: (i: number, status: 'error', message: string) => void,
): Promise<{ row?: Row; rows: number }> {
  try {
    const row = (await q.rows(fusedQuery(req.relation, fused.map((t) => t ?? NONE), columns)))[0]!;
    return { row, rows: Number(row.rows) };
  } catch {
    // One test DuckDB rejects (say accepted_values of the wrong type) must not hide the others: run each alone.
    const rows = Number((await q.rows(`SELECT count(*) AS n FROM ${req.relation}`))[0]!.n);
    const row: Row = { rows };
    for (const [i, t] of fused.entries()) {
      if (!t) continue;
      try {
        row[`t${i}`] = (await q.rows(`SELECT ${fusedCount(t)} AS n FROM ${req.relation}`))[0]!.n;
      } catch (err) {
        fail(i, 'error', errorText(err));
      }
    }
    if (columns) {
      try {
        Object.assign(row, (await q.rows(fusedQuery(req.relation, [], columns)))[0]);
      } catch {
        return { rows };
      }
    }
    return { row, rows };
  }
}

/** A test left out of the fused query: a row_count kind with no count of its own there. */
const NONE = { kind: 'row_count' } as DataTest;

async function separateCount(q: CheckQueries, req: CheckRequest, t: DataTest, rows: number): Promise<number> {
  if (t.kind === 'row_count') return rows;
  if (t.kind === 'relationships') return Number((await q.rows(orphans(req.relation, t, req.relationOf(t.to!.value), 'SELECT count(*) AS n')))[0]!.n);
  if (t.kind === 'sql') return Number((await q.rows(`SELECT count(*) AS n FROM (\n${req.customSql(t)}\n)`))[0]!.n);
  throw new Error(`${t.kind} has no query`);
}

async function ratioBounds(q: CheckQueries, req: CheckRequest, t: DataTest): Promise<{ min?: number; max?: number }> {
  if (t.kind !== 'row_count') return {};
  const bound = async (b: DataTest['rowsMin']) => {
    if (!b) return undefined;
    if (!b.of) return b.value;
    const n = Number((await q.rows(`SELECT count(*) AS n FROM ${req.relationOf(b.of.value)}`))[0]!.n);
    return b.value * n;
  };
  return { min: await bound(t.rowsMin), max: await bound(t.rowsMax) };
}

function judge(t: DataTest, count: number, rows: number, bounds: { min?: number; max?: number }, fail: (status: 'fail', message: string, failing?: number) => void): void {
  const col = t.column?.value;
  const n = (x: number) => x.toLocaleString('en-US');
  const share = rows ? ` (${((100 * count) / rows).toPrecision(2)}% of ${n(rows)})` : '';
  switch (t.kind) {
    case 'row_count': {
      const of = (b: DataTest['rowsMin'], v: number) => (b?.of ? ` (${b.value} of ${b.of.value})` : '') + ` = ${n(Math.round(v))}`;
      if (bounds.min !== undefined && count < bounds.min) fail('fail', `${n(count)} rows, fewer than min${of(t.rowsMin, bounds.min)}`, count);
      else if (bounds.max !== undefined && count > bounds.max) fail('fail', `${n(count)} rows, more than max${of(t.rowsMax, bounds.max)}`, count);
      return;
    }
    case 'freshness': {
      if (Number.isNaN(count) || count === null) return fail('fail', `${col} has no values, so the table's age is unknown`);
      if (count > t.maxAgeSeconds!.value) fail('fail', `the newest ${col} is ${age(count)} old, more than max_age ${age(t.maxAgeSeconds!.value)}`, 1);
      return;
    }
  }
  if (count === 0) return;
  const what: Record<string, string> = {
    not_null: `rows have a null ${col}`,
    unique: `duplicate rows: values of ${col} appear more than once`,
    accepted_values: `rows have a ${col} not in [${t.values?.join(', ')}]`,
    relationships: `rows have a ${col} not found in ${t.to?.value}.${t.field?.value}`,
    range: `rows have a ${col} outside [${t.min?.value ?? '-∞'}, ${t.max?.value ?? '∞'}]`,
    matches: `rows have a ${col} that does not match /${t.pattern?.value}/`,
    unique_combination: `duplicate rows on (${t.columns?.map((c) => c.value).join(', ')})`,
    sql: `failing rows returned by ${t.file?.value}`,
  };
  fail('fail', `${n(count)} ${what[t.kind]}${share}`, count);
}

function age(seconds: number): string {
  const units: [string, number][] = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let left = Math.round(seconds);
  for (const [u, s] of units) {
    if (left >= s && parts.length < 2) {
      parts.push(`${Math.floor(left / s)}${u}`);
      left %= s;
    }
  }
  return parts.join(' ') || '0s';
}

export function testName(t: DataTest): string {
  const col = t.column?.value;
  switch (t.kind) {
    case 'relationships':
      return `relationships(${col} → ${t.to?.value}.${t.field?.value})`;
    case 'unique_combination':
      return `unique_combination(${t.columns?.map((c) => c.value).join(', ')})`;
    case 'sql':
      return `sql(${t.file?.value})`;
    case 'row_count':
      return 'row_count';
    default:
      return `${t.kind}(${col})`;
  }
}

async function profileOf(q: CheckQueries, relation: string, columns: Column[], row: Row, rows: number): Promise<TableProfile> {
  const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  const profiles: ColumnProfile[] = columns.map((col, i) => {
    const nonNull = Number(row[`p${i}_n`] ?? 0);
    const p: ColumnProfile = { name: col.name, type: col.type, nulls: rows - nonNull, nullShare: rows ? (rows - nonNull) / rows : 0, distinct: Number(row[`p${i}_d`] ?? 0) };
    const min = row[`p${i}_min`];
    const max = row[`p${i}_max`];
    if (min !== null && min !== undefined) p.min = isNumeric(col.type) ? Number(min) : String(min);
    if (max !== null && max !== undefined) p.max = isNumeric(col.type) ? Number(max) : String(max);
    const mean = num(row[`p${i}_mean`]);
    const std = num(row[`p${i}_std`]);
    if (mean !== undefined) p.mean = mean;
    if (std !== undefined) p.std = std;
    return p;
  });
  const first: FirstPass[] = profiles.map((p) => ({ min: typeof p.min === 'number' ? p.min : undefined, max: typeof p.max === 'number' ? p.max : undefined, distinct: p.distinct }));
  const sql = distributionQuery(relation, columns, first, rows);
  if (!sql) return { rows, columns: profiles };
  const dist = (await q.rows(sql))[0]!;
  // counts from a sample are scaled to the whole table
  const sampled = Number(dist.sampled);
  const scale = sampled && sampled < rows ? rows / sampled : 1;
  const scaled = (v: unknown) => Math.round(Number(v) * scale);
  profiles.forEach((p, i) => {
    const h = dist[`h${i}`];
    if (h === undefined || h === null) return;
    if (isNumeric(p.type)) {
      const counts = new Map(mapEntries(h).map(([k, v]) => [Number(k), scaled(v)]));
      const width = ((p.max as number) - (p.min as number)) / HISTOGRAM_BINS;
      p.histogram = Array.from({ length: HISTOGRAM_BINS }, (_, b) => ({ start: (p.min as number) + b * width, end: (p.min as number) + (b + 1) * width, count: counts.get(b) ?? 0 }));
    } else if (Array.isArray(h) && !isMapValue(h)) {
      p.top = h.map((value) => ({ value: String(value) }));
    } else {
      p.top = mapEntries(h)
        .filter(([k]) => k !== null)
        .map(([k, v]) => ({ value: String(k), count: scaled(v) }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
        .slice(0, TOP_VALUES);
    }
  });
  return { rows, columns: profiles, ...(scale > 1 && { distributionSample: sampled }) };
}

/** DuckDB MAP values arrive as `{ entries: [{ key, value }] }` or a list of `{ key, value }`. */
function mapEntries(v: unknown): [unknown, unknown][] {
  const list = Array.isArray(v) ? v : ((v as { entries?: unknown[] }).entries ?? []);
  return (list as { key: unknown; value: unknown }[]).map((e) => [e.key, e.value]);
}

function isMapValue(list: unknown[]): boolean {
  return list.length > 0 && typeof list[0] === 'object' && list[0] !== null && 'key' in (list[0] as object);
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

