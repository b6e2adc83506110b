// Files the "Create Example Project" and "New Flow" commands write: the example project built into
// dist/example, and a new flow with one SQL step feeding one command step. Nothing is ever overwritten:
// the commands refuse when a file they would write exists. No `vscode` import, so it is unit-tested.
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The flow file of the example project, relative to its folder. */
export const EXAMPLE_FLOW = 'flight-delays.flow.yaml';

export class ScaffoldConflict extends Error {
  constructor(readonly existing: string[]) {
    super(`${existing.length === 1 ? `${existing[0]} exists` : `${existing.length} files exist (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''})`} and would be overwritten; pick an empty folder`);
  }
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

/** Copies the example project (`source`, i.e. dist/example) into `target`; returns the flow file's path. */
export function createExampleProject(source: string, target: string): string {
  const files = filesUnder(source);
  const existing = files.filter((file) => existsSync(join(target, file)));
  if (existing.length) throw new ScaffoldConflict(existing);
  mkdirSync(target, { recursive: true });
  cpSync(source, target, { recursive: true, force: false, errorOnExist: true });
  return join(target, EXAMPLE_FLOW);
}

/** A flow name that is also a good file name: letters, digits, `-` and `_`, starting with a letter. */
export function flowNameProblem(name: string): string | undefined {
  return /^[A-Za-z][A-Za-z0-9_-]*$/.test(name) ? undefined : 'Use letters, digits, - and _, starting with a letter (it names the flow and its file).';
}

/** The files of a new flow `name`: a SQL step making a table, and a command step reading it as Parquet. */
export function newFlowFiles(name: string): Record<string, string> {
  return {
    [`${name}.flow.yaml`]: `flow: ${name}
description: A SQL step whose table a command step reads. Replace both with your own.

params:
  rows: 10

steps:
  numbers:
    description: A table of numbers and their squares, made by DuckDB.
    sql: sql/${name}-numbers.sql
    materialize: table

  report:
    description: Reads the table (a Parquet file, path in FLOWBENCH_INPUT_NUMBERS) and writes its size.
    run: mkdir -p reports && wc -c < "$FLOWBENCH_INPUT_NUMBERS" > reports/${name}-numbers-bytes.txt
    inputs: [numbers]
    outs: [reports/${name}-numbers-bytes.txt]
`,
    [`sql/${name}-numbers.sql`]: `-- One row per number below params.rows; {{ params.rows }} is filled in when the step runs.
SELECT range AS n, range * range AS square
FROM range({{ params.rows }})
`,
  };
}

/** Writes `files` (relative path → text) under `dir`; returns their paths. Refuses if any exists. */
export function writeNewFiles(dir: string, files: Record<string, string>): string[] {
  const paths = Object.keys(files).map((file) => join(dir, file));
  const existing = paths.filter((path) => existsSync(path)).map((path) => relative(dir, path));
  if (existing.length) throw new ScaffoldConflict(existing);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text, { flag: 'wx' });
  }
  return paths;
}
