// Hover on a column name in a SQL step's `tests:`: the column's profile from the table's last check
// (.flowbench/checks/<step>.json, written by the engine), so the data behind a test is one glance away;
// completion offers the same table's columns.
import type { FlowAnalysis } from '../flow/analyze';
import { diskHost } from '../flow/host';
import type { Position, Range } from '../flow/model';
import { checksPath } from '../flow/validate-tests';
import type { TableProfile } from '../runs/types';

const inside = (r: Range, p: Position) =>
  (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character)) && (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

/** The profile of a step's table as last checked, or undefined before the first check (or for a torn file). */
export function lastProfile(root: string, step: string): TableProfile | undefined {
  const text = diskHost.readText(checksPath(root, step));
  try {
    return text ? (JSON.parse(text) as { profile?: TableProfile }).profile : undefined;
  } catch {
    return undefined;
  }
}

export function columnHover(analysis: FlowAnalysis, pos: Position): { markdown: string; range: Range } | undefined {
  for (const step of analysis.flow.steps.values()) {
    const test = step.tests?.tests.find((t) => t.column && inside(t.column.range, pos));
    if (!test?.column) continue;
    const profile = lastProfile(analysis.flow.root, step.name);
    const col = profile?.columns.find((c) => c.name === test.column!.value);
    const head = `**column** \`${test.column.value}\` of \`${step.name}\``;
    if (!profile || !col) return { markdown: `${head}: ${profile ? 'not in the table as last materialized' : 'no profile yet (run the step)'}`, range: test.column.range };
    const f = (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v));
    const lines = [
      `${head}: ${col.type}, ${(col.nullShare * 100).toFixed(1)}% null, ~${col.distinct.toLocaleString('en-US')} distinct of ${profile.rows.toLocaleString('en-US')} rows`,
      ...(col.min !== undefined ? [`range ${f(col.min)} … ${f(col.max)}${col.mean !== undefined ? `, mean ${f(col.mean)} ± ${f(col.std ?? 0)}` : ''}`] : []),
      ...(col.top?.length ? [`top: ${col.top.map((t) => `\`${t.value}\`${t.count !== undefined ? ` (${t.count.toLocaleString('en-US')})` : ''}`).join(', ')}`] : []),
    ];
    return { markdown: lines.join('\n\n'), range: test.column.range };
  }
  return undefined;
}
