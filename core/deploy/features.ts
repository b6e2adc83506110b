// Which features a deployed model's drift is watched on, and how to read them out of a request's inputs.
// A model input is either one value per row (a feature named by the input) or a row of columns named by
// the model's sample (`log_distance`, `origin=ATL`, …); one-hot columns `x=v` fold back into one
// categorical feature `x` whose value is the `v` set to 1, so drift compares categories, not 0/1 flags.
// Pure TS: the CLI builds the layout at deploy time, the host reads requests with it.

export type FeatureSpec =
  | { name: string; kind: 'numeric'; input: string; column?: number; columnName?: string }
  | { name: string; kind: 'categorical'; input: string; column?: number; columnName?: string }
  | { name: string; kind: 'onehot'; input: string; columns: number[]; values: string[] };

export interface LayoutInput {
  name: string;
  /** Element type from the model ('float32', 'string', …). */
  type: string;
  /** Values per row after the batch dimension (1 for a scalar). */
  width: number;
  columns?: string[];
}

/** Wider unnamed inputs (an image, an embedding) are not watched column by column. */
const MAX_UNNAMED_COLUMNS = 16;

export function featureLayout(inputs: LayoutInput[]): FeatureSpec[] {
  const specs: FeatureSpec[] = [];
  const kindOf = (type: string) => (type === 'string' ? 'categorical' : 'numeric') as 'numeric' | 'categorical';
  for (const input of inputs) {
    if (input.width <= 1 && !input.columns) {
      specs.push({ name: input.name, kind: kindOf(input.type), input: input.name });
      continue;
    }
    if (!input.columns) {
      for (let i = 0; i < Math.min(input.width, MAX_UNNAMED_COLUMNS); i++) specs.push({ name: `${input.name}[${i}]`, kind: kindOf(input.type), input: input.name, column: i });
      continue;
    }
    const groups = new Map<string, { columns: number[]; values: string[] }>();
    input.columns.forEach((col, i) => {
      const eq = col.indexOf('=');
      if (eq > 0 && input.type !== 'string') {
        const key = col.slice(0, eq);
        const group = groups.get(key) ?? { columns: [], values: [] };
        if (!groups.has(key)) {
          groups.set(key, group);
          specs.push({ name: key, kind: 'onehot', input: input.name, ...group });
        }
        group.columns.push(i);
        group.values.push(col.slice(eq + 1));
      } else {
        specs.push({ name: col, kind: kindOf(input.type), input: input.name, column: i, columnName: col });
      }
    });
  }
  return specs;
}

type Value = number | string | null;

/** The row's values of an input: a logged scalar, a row list, or a batch's first row. */
function rowOf(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return [value];
  return Array.isArray(value[0]) ? rowOf(value[0]) : value;
}

const scalar = (v: unknown): Value => (typeof v === 'number' || typeof v === 'string' ? v : null);

/**
 * A feature's value in one request's logged inputs. The inputs may be keyed by model input (a scalar or a
 * row) or, when the endpoint spelled out a tensor's columns, by column name; both are read.
 */
export function featureValue(spec: FeatureSpec, inputs: Record<string, unknown>): Value {
  if (spec.kind === 'onehot') {
    const row = rowOf(inputs[spec.input]);
    const flags = spec.columns.map((c, i) => (row ? row[c] : inputs[`${spec.name}=${spec.values[i]}`]));
    if (flags.every((f) => f === undefined || f === null)) return null;
    const hot = flags.findIndex((f) => Number(f) === 1);
    return hot >= 0 ? spec.values[hot]! : null;
  }
  if (spec.columnName !== undefined && spec.columnName in inputs) return scalar(inputs[spec.columnName]);
  const row = rowOf(inputs[spec.input]);
  return row ? scalar(row[spec.column ?? 0]) : null;
}

/** Values per feature over a set of requests' inputs. */
export function featureColumns(specs: FeatureSpec[], rows: Record<string, unknown>[]): Map<string, Value[]> {
  const out = new Map<string, Value[]>(specs.map((s) => [s.name, []]));
  for (const row of rows) for (const spec of specs) out.get(spec.name)!.push(featureValue(spec, row));
  return out;
}
