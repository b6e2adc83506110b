// Table rows as CSV (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled); the run
// id is the first column. Cells that a spreadsheet would run as a formula are prefixed with a quote.
import type { Cell, Row } from '../../webviews/experiments/contract';

function field(value: Cell | string): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const header = ['id', ...columns.filter((c) => c !== 'id')];
  const idAt = columns.indexOf('id');
  const lines = [header.map(field).join(',')];
  for (const row of rows) lines.push([row.id, ...row.cells.filter((_, i) => i !== idAt)].map(field).join(','));
  return lines.join('\r\n') + '\r\n';
}
