// A Snowflake result into a Parquet file without holding it in memory: rows arrive from the driver chunk by
// chunk and go, as text, into a scratch DuckDB database on disk through an appender flushed every batch; one
// COPY then casts each column to its type and writes the Parquet file under a temporary name that is renamed
// into place, so a failure or a kill never leaves a partial export where the step's out should be.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SnowflakeColumn, SnowflakeStream } from './snowflake-client';
import { quoteIdent, quoteLiteral } from './sql-text';

/** Rows appended between flushes: bounds what sits in the appender's buffer. */
export const EXPORT_BATCH_ROWS = 10_000;

export interface ExportResult {
  rows: number;
}

export async function exportToParquet(stream: SnowflakeStream, parquet: string, scratchDir: string, signal: AbortSignal): Promise<ExportResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const scratch = join(scratchDir, `.export.${tag}.duckdb`);
  const temp = `${parquet}.${tag}.tmp`;
  const instance = await DuckDBInstance.create(scratch);
  const conn = await instance.connect();
  try {
    const names = stream.columns.map((_, i) => `c${i}`);
    await conn.run(`CREATE TABLE staging (${names.map((n) => `${n} VARCHAR`).join(', ')})`);
    const appender = await conn.createAppender('staging');
    let rows = 0;
    for await (const row of stream.rows) {
      if (signal.aborted) throw new Error('cancelled');
      for (const column of stream.columns) {
        const text = asText((row as Record<string, unknown>)[column.name], column);
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      }
      appender.endRow();
      if (++rows % EXPORT_BATCH_ROWS === 0) appender.flushSync();
    }
    appender.closeSync();
    const casts = await Promise.all(stream.columns.map(async (c, i) => `CAST(c${i} AS ${await duckType(conn, c, `c${i}`)}) AS ${quoteIdent(c.name)}`));
    await conn.run(`COPY (SELECT ${casts.join(', ') || '*'} FROM staging) TO ${quoteLiteral(temp)} (FORMAT parquet)`);
    renameSync(temp, parquet);
    return { rows };
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(scratch, { force: true });
    rmSync(`${scratch}.wal`, { force: true });
  }
}

/** What the driver hands back (numbers as exact strings, dates as Date objects), as text DuckDB can cast. */
function asText(value: unknown, column: SnowflakeColumn): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return column.type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

async function duckType(conn: DuckDBConnection, c: SnowflakeColumn, staged: string): Promise<string> {
  switch (c.type) {
    case 'fixed': {
      if (c.scale > 0) return `DECIMAL(${Math.min(c.precision || 38, 38)}, ${c.scale})`;
      // NUMBER(38,0) is Snowflake's INTEGER: BIGINT whenever every value fits, so readers get plain integers
      const fits = await conn.run(`SELECT bool_and(${staged} IS NULL OR TRY_CAST(${staged} AS BIGINT) IS NOT NULL) FROM staging`);
      return (await fits.getRows())[0]?.[0] === false ? 'DECIMAL(38, 0)' : 'BIGINT';
    }
    case 'real':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return 'TIMESTAMP';
    default:
      return 'VARCHAR';
  }
}
