// CSV for exports (the runs table's too); DOM-free so the CLI or tests can use it as well.

/** RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled; records end with CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly (string | number | boolean | null | undefined)[]>): string {
  const field = (v: string | number | boolean | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  let out = header.map(field).join(',') + '\r\n';
  for (const row of rows) out += row.map(field).join(',') + '\r\n';
  return out;
}
