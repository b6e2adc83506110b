// Slice tables in an evaluation step's JSON outs. The convention (docs/flow-format.md): a key `by_<name>`
// holding a list of objects, each with the slice's value under `<name>`, optionally `rows`, and numeric
// metrics, e.g. metrics/slices.json's `by_origin: [{ origin: 'ATL', rows: 4210, auc: 0.71, … }]`.
import type { SliceRow, SliceTable } from './card-types';
import { metricValue } from './metric-values';

const ROW_KEYS = ['rows', 'count', 'n', 'support'];

export function sliceTablesOf(value: unknown, file: string): SliceTable[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const tables: SliceTable[] = [];
  for (const [key, list] of Object.entries(value)) {
    const m = /^by_(.+)$/.exec(key);
    if (!m || !Array.isArray(list)) continue;
    const name = m[1]!;
    const rows: SliceRow[] = [];
    const metrics = new Set<string>();
    for (const entry of list) {
      if (!entry || typeof entry !== 'object' || !(name in entry)) continue;
      const e = entry as Record<string, unknown>;
      const countKey = ROW_KEYS.find((k) => typeof e[k] === 'number');
      const values = Object.entries(e).filter(([k, v]) => k !== name && k !== countKey && typeof v === 'number');
      for (const [k] of values) metrics.add(k);
      rows.push({
        value: String(e[name]),
        ...(countKey && { rows: e[countKey] as number }),
        metrics: values.map(([k, v]) => metricValue(k, v as number)),
      });
    }
    tables.push({ name, file, metrics: [...metrics], rows });
  }
  return tables;
}

/** Puts the previous model's numbers beside each slice metric, matching slices by table and value. */
export function compareSlices(current: SliceTable[], previous: SliceTable[]): SliceTable[] {
  return current.map((table) => {
    const before = previous.find((t) => t.name === table.name);
    if (!before) return table;
    return {
      ...table,
      rows: table.rows.map((row) => {
        const old = before.rows.find((r) => r.value === row.value);
        return old ? { ...row, metrics: row.metrics.map((m) => metricValue(m.name, m.value, old.metrics.find((o) => o.name === m.name)?.value)) } : row;
      }),
    };
  });
}

/** A slice metric's value, NaN (written as null in JSON) kept out. */
export function sliceValues(table: SliceTable, metric: string): { value: string; observed: number }[] {
  return table.rows.flatMap((row) => {
    const m = row.metrics.find((x) => x.name === metric);
    return m && Number.isFinite(m.value) ? [{ value: row.value, observed: m.value }] : [];
  });
}
