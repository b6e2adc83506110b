// Writes flights-sample.parquet, the sample of flights-3m.parquet that ships in the VSIX's example project:
// every 20th row in file order (150,000 flights, the same six months), deterministic, zstd-compressed.
// Run from the repository root: node examples/flight-delays/data/make-sample.mjs
import { DuckDBInstance } from '@duckdb/node-api';

const here = new URL('.', import.meta.url).pathname;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(`COPY (
  SELECT date, delay, distance, origin, destination
  FROM read_parquet('${here}flights-3m.parquet', file_row_number = true)
  WHERE file_row_number % 20 = 0
  ORDER BY file_row_number
) TO '${here}flights-sample.parquet' (FORMAT parquet, COMPRESSION zstd)`);
connection.closeSync();
