// Table rows as CSV through the one CSV writer (webviews/charts/csv.ts: RFC 4180, formula cells defused); the
// run id is the first column.
import type { Cell } from '../../core/runs/table';
import { toCsv as csvOf } from '../../webviews/charts/csv';

export function toCsv(columns: readonly string[], rows: readonly { id: string; cells: readonly Cell[] }[]): string {
  const header = ['id', ...columns.filter((c) => c !== 'id')];
  const idAt = columns.indexOf('id');
  return csvOf(header, rows.map((row) => [row.id, ...row.cells.filter((_, i) => i !== idAt)]));
}
