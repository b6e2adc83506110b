// Converts (part of) a Parquet file to CSV with embedded DuckDB, so steps in languages without a Parquet
// reader (the Python trainer on a plain Debian python3) still get their input table.
// Usage: node parquet-to-csv.mjs IN.parquet OUT.csv "COLUMN,COLUMN,..." [WHERE]
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { runStep, StepError } from './step-env.mjs';

const quote = (s) => `'${s.replaceAll("'", "''")}'`;

runStep('parquet-to-csv', async () => {
  const [input, output, columns, where] = process.argv.slice(2);
  if (!input || !output || !columns) throw new StepError('usage: node parquet-to-csv.mjs IN.parquet OUT.csv "COLUMN,COLUMN,..." [WHERE]');
  if (!existsSync(input)) throw new StepError(`${input} does not exist`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // DuckDB writes next to the target and a rename publishes it, so a reader never sees half a file
  const temp = `${output}.${process.pid}.tmp`;
  try {
    const select = columns.split(',').map((c) => `"${c.trim()}"`).join(', ');
    await connection.run(`COPY (SELECT ${select} FROM read_parquet(${quote(input)})${where ? ` WHERE ${where}` : ''}) ` +
      `TO ${quote(temp)} (FORMAT csv, HEADER true)`);
    renameSync(temp, output);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new StepError(`cannot convert ${input}: ${err.message}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
