// A flow's `sources:` seen from DuckDB: each source table is a view over its file, in a schema named
// after the source, so `{{ source('raw', 'flights') }}` is `"raw"."flights"` and the file is read
// when a step queries it, never copied.
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { projectRoot, readViolation } from '../flow/confine';
import { diskHost } from '../flow/host';
import { interpolate } from '../flow/interpolate';
import { globBase, sourceFiles } from '../flow/source-files';
import type { Flow, Position, SourceTable } from '../flow/model';
import { errorAt, SqlStepError } from './errors';
import { qualified, quoteLiteral } from './sql-text';

export type SourceFormat = 'csv' | 'parquet' | 'json';

const READERS: Record<SourceFormat, string> = {
  csv: 'read_csv_auto',
  parquet: 'read_parquet',
  json: 'read_json_auto',
};

const EXTENSIONS: Record<string, SourceFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.jsonl': 'json',
  '.ndjson': 'json',
};

const COMPRESSION = /\.(gz|zst)$/i;

export interface SourceView {
  /** `source.table`, as users write it in `source()`. */
  key: string;
  schema: string;
  relation: string;
  /** The statement that (re)creates the view. */
  create: string;
  /** What the log says about it. */
  describe: string;
  /** An error pointing at the source's path in the flow file. */
  fail(message: string): SqlStepError;
}

export function sourceRelation(source: string, table: string): string {
  return qualified(source, table);
}

export function sourceView(flow: Flow, table: SourceTable, params: Map<string, unknown>): SourceView {
  const key = `${table.source}.${table.name}`;
  const at = (pos: Position, message: string) => errorAt(flow.root, flow.file, diskHost.readText(flow.file), pos, message);
  if (!table.path) throw at(table.nameRange.start, `source ${key} has no path: add \`path: data/${table.name}.csv\` (CSV, Parquet or JSON).`);
  const pathAt = table.path.range.start;
  const { text: path, unknown } = interpolate(table.path.value, params);
  if (unknown.length > 0) throw at(pathAt, `source ${key}: unknown param '${unknown[0]!.name}' in its path.`);
  const format = table.format?.value ?? EXTENSIONS[extname(path.replace(COMPRESSION, '')).toLowerCase()];
  if (!format) {
    throw at(pathAt, `source ${key}: cannot tell the format of '${path}' from its extension; add \`format: csv\`, \`parquet\` or \`json\`.`);
  }
  // DuckDB reads the files the fingerprint covered, listed, rather than expanding the glob itself.
  const named = sourceFiles(flow.root, path);
  // Validation confined the path with the flow's own param values; a --set override can point it elsewhere.
  const project = projectRoot(flow.root, existsSync);
  for (const file of named.files) {
    const away = readViolation(path, file, flow.root, project);
    if (away) throw at(pathAt, `source ${key}: ${named.glob ? `glob '${path}' matches ${file}, which` : `'${path}'`} ${away}: paths a flow names never escape its project.`);
  }
  if (named.glob && !named.files.length) throw at(pathAt, `source ${key}: glob '${path}' matches no file (looked in ${globBase(flow.root, path)}).`);
  if (!named.glob && named.files.length && !existsSync(named.files[0]!)) {
    throw at(pathAt, `source ${key}: file '${path}' does not exist (looked for ${named.files[0]}).`);
  }
  const read = named.glob ? `[${named.files.map(quoteLiteral).join(', ')}]` : quoteLiteral(named.files[0] ?? path);
  const relation = sourceRelation(table.source, table.name);
  return {
    key,
    schema: table.source,
    relation,
    create: `CREATE OR REPLACE VIEW ${relation} AS SELECT * FROM ${READERS[format]}(${read})`,
    describe: `source ${key}: ${path} (${format}${named.glob ? `, ${named.files.length} files` : ""})`,
    fail: (message) => at(pathAt, `source ${key}: ${message}`),
  };
}
