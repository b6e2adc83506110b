// Turns table columns into the dense float matrix the model takes, from a spec fitted on training rows.
// The fitted encoder is plain JSON and travels inside the ONNX model's metadata, so anything that scores
// the model (evaluation, a serving endpoint) builds exactly the inputs training used.
import { StepError } from './step-env.mjs';

export const OTHER = '<other>';

/**
 * @param {{ rows: number, columns: Record<string, unknown[]> }} table  training rows
 * @param {{ column: string, kind: 'numeric'|'onehot', top?: number }[]} spec
 *        onehot keeps the `top` most frequent values (all when absent) plus an OTHER slot for the rest
 */
export function fitEncoder(table, spec) {
  if (table.rows === 0) throw new StepError('no training rows to fit the feature encoder on');
  const columns = spec.map((s) => {
    const values = table.columns[s.column];
    if (!values) throw new StepError(`feature column '${s.column}' is not in the table`);
    if (s.kind === 'numeric') {
      let sum = 0, sumSq = 0, n = 0;
      for (const v of values) {
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        sum += v; sumSq += v * v; n++;
      }
      if (n === 0) throw new StepError(`numeric feature '${s.column}' has no finite values`);
      const mean = sum / n;
      const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
      // a constant column keeps scale 1 so the model never divides by zero
      return { column: s.column, kind: 'numeric', mean, scale: std > 1e-12 ? std : 1 };
    }
    if (s.kind === 'onehot') {
      const counts = new Map();
      for (const v of values) {
        const key = v === null || v === undefined ? OTHER : String(v);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      counts.delete(OTHER);
      const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1] || compareKeys(a[0], b[0]));
      const kept = byFrequency.slice(0, s.top ?? byFrequency.length).map(([k]) => k).sort(compareKeys);
      return { column: s.column, kind: 'onehot', values: kept };
    }
    throw new StepError(`feature '${s.column}': unknown kind '${s.kind}' (numeric or onehot)`);
  });
  return { version: 1, columns };
}

function compareKeys(a, b) {
  const x = Number(a), y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Names of the model's input columns, in order: `log_distance`, `hour_of_day=7`, `origin=<other>`... */
export function featureNames(encoder) {
  return encoder.columns.flatMap((c) =>
    c.kind === 'numeric' ? [c.column] : [...c.values.map((v) => `${c.column}=${v}`), `${c.column}=${OTHER}`],
  );
}

/** Per-input offset and divisor the model standardizes with: fitted for numerics, identity for one-hots. */
export function normalization(encoder) {
  const mean = [], scale = [];
  for (const c of encoder.columns) {
    if (c.kind === 'numeric') {
      mean.push(c.mean); scale.push(c.scale);
    } else {
      for (let i = 0; i <= c.values.length; i++) { mean.push(0); scale.push(1); }
    }
  }
  return { mean, scale };
}

/**
 * Encodes rows into a row-major Float32Array [rows][features]. Missing numerics take the training mean
 * (so they standardize to 0); unseen or missing categories go to the OTHER slot.
 */
export function encode(encoder, table) {
  const width = featureNames(encoder).length;
  const out = new Float32Array(table.rows * width);
  let offset = 0;
  for (const c of encoder.columns) {
    const values = table.columns[c.column];
    if (!values) throw new StepError(`feature column '${c.column}' is not in the table`);
    if (c.kind === 'numeric') {
      for (let r = 0; r < table.rows; r++) {
        const v = values[r];
        out[r * width + offset] = typeof v === 'number' && Number.isFinite(v) ? v : c.mean;
      }
      offset += 1;
    } else {
      const slot = new Map(c.values.map((v, i) => [v, i]));
      for (let r = 0; r < table.rows; r++) {
        const v = values[r];
        const i = v === null || v === undefined ? undefined : slot.get(String(v));
        out[r * width + offset + (i ?? c.values.length)] = 1;
      }
      offset += c.values.length + 1;
    }
  }
  return { data: out, rows: table.rows, width };
}
