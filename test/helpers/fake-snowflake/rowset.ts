// DuckDB results in the shape Snowflake's JSON result format has: a `rowtype` describing each column and
// rows whose values are all strings (numbers in decimal, dates as days since the epoch, timestamps as
// seconds with a fraction), which is what the Node driver parses.
import type { DuckDBMaterializedResult } from '@duckdb/node-api';

export interface RowType {
  name: string;
  type: 'fixed' | 'real' | 'text' | 'boolean' | 'date' | 'timestamp_ntz';
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
}

export function rowTypes(result: DuckDBMaterializedResult): RowType[] {
  return result.columnNames().map((name, i) => {
    const duck = result.columnType(i).toString();
    const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duck);
    const base = { name, nullable: true, precision: null, scale: null, length: null, byteLength: null };
    if (decimal) return { ...base, type: 'fixed', precision: Number(decimal[1]), scale: Number(decimal[2]) };
    if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(duck)) return { ...base, type: 'fixed', precision: 38, scale: 0 };
    if (/^(FLOAT|DOUBLE|REAL)$/.test(duck)) return { ...base, type: 'real' };
    if (duck === 'BOOLEAN') return { ...base, type: 'boolean' };
    if (duck === 'DATE') return { ...base, type: 'date' };
    if (/^TIMESTAMP/.test(duck)) return { ...base, type: 'timestamp_ntz', scale: 9 };
    return { ...base, type: 'text', length: 16777216, byteLength: 16777216 };
  });
}

/** One row of strings (or nulls) for the rowset. */
export function snowflakeRow(values: unknown[], types: RowType[]): (string | null)[] {
  return values.map((v, i) => {
    if (v === null || v === undefined) return null;
    const type = types[i]!.type;
    if (type === 'boolean') return v ? '1' : '0';
    if (type === 'date') return String(Math.round(new Date(String(v) + 'T00:00:00Z').getTime() / 86400000));
    if (type === 'timestamp_ntz') return (new Date(String(v).replace(' ', 'T') + 'Z').getTime() / 1000).toFixed(9);
    return String(v);
  });
}
