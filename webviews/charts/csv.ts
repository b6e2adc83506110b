// CSV for exports: the compare view's in the webview, the runs table's in the host (extension/panels/csv.ts).
// DOM-free, so both sides use this one writer.

type Field = string | number | boolean | null | undefined;

/** RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled; records end with CRLF. Text a
 *  spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote; numbers never do. */
export function toCsv(header: readonly string[], rows: Iterable<readonly Field[]>): string {
  const field = (v: Field) => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  let out = header.map(field).join(',') + '\r\n';
  for (const row of rows) out += row.map(field).join(',') + '\r\n';
  return out;
}
