// How `flowbench show` and `flowbench test` print data test results and table profiles.
import type { ColumnProfile, TableProfile, TestResult } from '../runs/types';
import { formatValue, table } from './format';
import { line, paint, type Output } from './output';

export function printTests(o: Output, tests: TestResult[], indent = '  '): void {
  for (const t of tests) {
    const [symbol, color] = t.status === 'pass' ? ['✓', 'green'] as const : t.severity === 'warn' ? ['!', 'yellow'] as const : ['✗', 'red'] as const;
    const label = t.status === 'error' ? 'could not run' : t.status === 'fail' && t.severity === 'warn' ? 'warn' : t.status;
    line(o.out, `${indent}${paint(o, color, symbol)} ${t.table} ${t.name}  ${paint(o, color, label)}${t.message ? `  ${t.message}` : ''}`);
    for (const row of t.sample ?? []) line(o.out, `${indent}    ${paint(o, 'gray', JSON.stringify(row))}`);
  }
}

export function printProfile(o: Output, profile: TableProfile, indent = '  '): void {
  line(o.out, `${indent}${profile.rows.toLocaleString('en-US')} rows`);
  const rows = profile.columns.map((c) => [c.name, c.type, `${(c.nullShare * 100).toFixed(1)}% null`, `~${c.distinct.toLocaleString('en-US')} distinct`, range(c), paint(o, 'gray', detail(c))]);
  for (const text of table(rows)) line(o.out, `${indent}  ${text}`);
}

function range(c: ColumnProfile): string {
  if (c.min === undefined) return '';
  const stats = c.mean !== undefined ? `  mean ${formatValue(c.mean)} ± ${formatValue(c.std ?? 0)}` : '';
  return `${formatValue(c.min)} … ${formatValue(c.max)}${stats}`;
}

/** Top values, or a one-line histogram of the bins' shares. */
function detail(c: ColumnProfile): string {
  if (c.top?.length) return 'top: ' + c.top.map((t) => (t.count === undefined ? t.value : `${t.value} (${t.count.toLocaleString('en-US')})`)).join(', ');
  if (c.histogram?.length) {
    const most = Math.max(...c.histogram.map((b) => b.count));
    const bars = ' ▁▂▃▄▅▆▇█';
    return 'histogram ' + c.histogram.map((b) => bars[most ? Math.ceil((b.count / most) * 8) : 0]).join('');
  }
  return '';
}
