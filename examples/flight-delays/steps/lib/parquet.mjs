// Reads a Parquet file into plain JS columns with embedded DuckDB.
import { DuckDBInstance } from '@duckdb/node-api';
import { StepError } from './step-env.mjs';

/**
 * @param {string} path     Parquet file
 * @param {string[]} columns columns to read (each must exist)
 * @param {string} [where]  SQL filter, e.g. "split = 'train'"
 * @returns {Promise<{ rows: number, columns: Record<string, unknown[]> }>} BIGINTs arrive as JS numbers
 */
export async function readParquet(path, columns, where) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = `read_parquet('${path.replaceAll("'", "''")}')`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const available = new Set(described.getRowObjectsJS().map((r) => r.column_name));
    const missing = columns.filter((c) => !available.has(c));
    if (missing.length > 0) {
      throw new StepError(`${path} lacks column(s) ${missing.join(', ')}; it has ${[...available].join(', ')}.`);
    }
    const select = columns.map((c) => `"${c}"`).join(', ');
    const result = await connection.runAndReadAll(`SELECT ${select} FROM ${source}${where ? ` WHERE ${where}` : ''}`);
    const data = result.getColumnsObjectJS();
    for (const name of columns) {
      if (data[name].some((v) => typeof v === 'bigint')) data[name] = data[name].map((v) => (v === null ? null : Number(v)));
    }
    return { rows: result.currentRowCount, columns: data };
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError(`cannot read ${path}: ${err.message}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
