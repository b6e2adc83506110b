// The sample of evaluation data that perturbation and swap checks feed the model (`model.sample`, an out of
// the evaluation step). Its format (docs/flow-format.md):
//   { "inputs": { "<model input>": { "columns"?: ["log_distance", "origin=ATL", …], "rows": [[…], …] } } }
// one entry per model input, `rows[i]` the input's value for sample row i (a scalar, or a row of the
// tensor); `columns` names the last dimension, so a check can name one column ("log_distance") or one-hot
// columns `feature=value` for a swap.

export type Cell = number | string;

export interface SampleInput {
  columns?: string[];
  /** Per sample row: a scalar, or a flat row of the tensor's trailing dimension. */
  rows: Cell[][];
  /** Each row's shape after the batch dimension ([] for scalars). */
  rowShape: number[];
}

export interface ModelSample {
  inputs: Map<string, SampleInput>;
  rows: number;
}

/** Parses a sample file's JSON; a message (never a throw) when it is not in the format. */
export function parseSample(value: unknown, file: string): ModelSample | { problem: string } {
  const bad = (why: string) => ({ problem: `sample ${file}: ${why} (expected { "inputs": { "<input>": { "rows": [...] } } })` });
  const inputs = (value as { inputs?: unknown } | null)?.inputs;
  if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) return bad('no `inputs` mapping');
  const out = new Map<string, SampleInput>();
  let rows = -1;
  for (const [name, entry] of Object.entries(inputs)) {
    const e = entry as { columns?: unknown; rows?: unknown };
    if (!e || !Array.isArray(e.rows)) return bad(`input '${name}' has no \`rows\` list`);
    const first = e.rows[0];
    const rowShape = Array.isArray(first) ? [first.length] : [];
    const flat: Cell[][] = [];
    for (const [i, row] of e.rows.entries()) {
      const cells = Array.isArray(row) ? row : [row];
      if (cells.length !== (rowShape[0] ?? 1) || cells.some((c) => typeof c !== 'number' && typeof c !== 'string')) {
        return bad(`input '${name}' row ${i} is not a ${rowShape.length ? `list of ${rowShape[0]} numbers or strings` : 'number or string'}`);
      }
      flat.push(cells as Cell[]);
    }
    if (rows !== -1 && flat.length !== rows) return bad(`input '${name}' has ${flat.length} rows, another input has ${rows}`);
    rows = flat.length;
    const columns = Array.isArray(e.columns) && e.columns.every((c) => typeof c === 'string') ? (e.columns as string[]) : undefined;
    if (columns && columns.length !== (rowShape[0] ?? 1)) return bad(`input '${name}' names ${columns.length} columns but its rows have ${rowShape[0] ?? 1}`);
    out.set(name, { rows: flat, rowShape, ...(columns && { columns }) });
  }
  if (out.size === 0 || rows <= 0) return bad('no rows');
  return { inputs: out, rows };
}

export function cloneSample(sample: ModelSample): ModelSample {
  return { rows: sample.rows, inputs: new Map([...sample.inputs].map(([k, v]) => [k, { ...v, rows: v.rows.map((r) => [...r]) }])) };
}

/** Keeps only the given rows (a swap runs on the rows holding the category). */
export function selectRows(sample: ModelSample, keep: number[]): ModelSample {
  return { rows: keep.length, inputs: new Map([...sample.inputs].map(([k, v]) => [k, { ...v, rows: keep.map((i) => [...v.rows[i]!]) }])) };
}
