// Parallel-coordinates brushes as a filter expression in the query language of core/runs/query.ts, which the
// runs table ANDs with its own filter.
import { quote } from '../../core/runs/query';

/** A brushed axis: numeric intervals, or (category axes) the values inside the brush. */
export type AxisBrush = { column: string; intervals: [number, number][] } | { column: string; values: string[] };

/** Bounds keep 6 significant digits, rounded outward so every brushed line still passes. */
function bound(v: number, dir: 'down' | 'up'): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const mag = 10 ** (Math.floor(Math.log10(Math.abs(v))) - 5);
  // toPrecision first, so 0.2 / 1e-6 = 200000.00000000003 does not round up to 200001.
  const q = Number((v / mag).toPrecision(12));
  const r = (dir === 'down' ? Math.floor(q) : Math.ceil(q)) * mag;
  return String(Number(r.toPrecision(6)));
}

/** `undefined` when nothing is brushed. */
export function brushFilter(brushes: readonly AxisBrush[]): string | undefined {
  const clauses: string[] = [];
  for (const b of brushes) {
    const terms =
      'intervals' in b
        ? b.intervals.map(([a, c]) => {
            const [lo, hi] = a <= c ? [a, c] : [c, a];
            return `${quote(b.column)} >= ${bound(lo, 'down')} and ${quote(b.column)} <= ${bound(hi, 'up')}`;
          })
        : b.values.map((v) => `${quote(b.column)} = ${quote(v)}`);
    if (terms.length === 0) continue;
    clauses.push(terms.length === 1 ? terms[0] : `(${terms.map((t) => (t.includes(' and ') ? `(${t})` : t)).join(' or ')})`);
  }
  return clauses.length ? clauses.join(' and ') : undefined;
}
