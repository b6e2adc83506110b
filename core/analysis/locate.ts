// What symbol stands at a position: the shared first step of hover, definition, references and rename.
// Flow files are read through the model's ranges; SQL files through their template calls.
import * as path from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import type { Located, Position, Range } from '../flow/model';
import { containsPosition, type LineIndex } from '../flow/positions';
import { scanTemplate, type TemplateScan } from '../sql/template';
import { MAX_SQL_FEATURE_CHARS, type WorkspaceIndex } from './workspace';

export type Target =
  | { kind: 'step'; name: string }
  | { kind: 'param'; name: string }
  | { kind: 'source'; source: string; table?: string }
  | { kind: 'path'; path: string };

export interface SymbolHit {
  target: Target;
  /** The flow the symbol belongs to. */
  analysis: FlowAnalysis;
  /** Where the symbol's text stands under the cursor. */
  range: Range;
  declaration: boolean;
}

export const PARAM_REFERENCE = /\$\{\s*params\.([A-Za-z_][\w.-]*?)\s*\}/g;

/** Symbols under the cursor: one per flow that gives the file meaning (a SQL file may serve several flows). */
export function targetsAt(ws: WorkspaceIndex, file: string, pos: Position): SymbolHit[] {
  const entry = ws.flow(file);
  if (entry) {
    const hit = entry.analysis && targetInFlow(entry.analysis, ws.lines(file, entry.text), pos);
    return hit ? [hit] : [];
  }
  const text = ws.text(file);
  if (text === undefined) return [];
  const uses = ws.sqlUses(file);
  if (uses.length === 0) return [];
  const lines = ws.lines(file, text);
  const offset = lines.offset(pos);
  const template = templateOf(ws, file, text);
  const call = template?.calls.find((c) => offset >= c.start && offset <= c.end);
  if (!call) return [];
  const argIndex = call.argRanges.findIndex((r) => offset >= r.start && offset <= r.end);
  const at = call.argRanges[argIndex >= 0 ? argIndex : 0];
  const range = at ? lines.range(at.start, at.end) : lines.range(call.start, call.end);
  let target: Target | undefined;
  if (call.fn === 'ref' && call.args[0] !== undefined) target = { kind: 'step', name: call.args[0] };
  else if (call.fn === 'param' && call.args[0] !== undefined) target = { kind: 'param', name: call.args[0] };
  else if (call.fn === 'source' && call.args[0] !== undefined) {
    target = { kind: 'source', source: call.args[0], table: argIndex === 0 ? undefined : call.args[1] };
  }
  if (!target) return [];
  const seen = new Set<FlowAnalysis>();
  return uses
    .filter((u) => !seen.has(u.analysis) && seen.add(u.analysis))
    .map((u) => ({ target: target!, analysis: u.analysis, range, declaration: false }));
}

/** The template scan of a SQL file's current text: the flow analysis's when it is current, else a fresh one. */
export function templateOf(ws: WorkspaceIndex, file: string, text: string): TemplateScan | undefined {
  for (const use of ws.sqlUses(file)) {
    const info = use.analysis.sql.get(use.step.name);
    if (info?.text === text) return info.template;
  }
  return text.length <= MAX_SQL_FEATURE_CHARS ? scanTemplate(text) : undefined;
}

function targetInFlow(analysis: FlowAnalysis, lines: LineIndex, pos: Position): SymbolHit | undefined {
  const { flow } = analysis;
  const hit = (target: Target, range: Range, declaration = false): SymbolHit => ({ target, analysis, range: unquoted(lines, range), declaration });
  const pathOf = (v: Located<string>) => hit({ kind: 'path', path: path.resolve(flow.root, v.value) }, v.range);
  const inside = (r: Range) => containsPosition(r, pos);

  // `${params.x}` can stand in any string value, so look at the cursor's line text first.
  const lineText = lines.text.slice(lines.offset({ line: pos.line, character: 0 }), lines.offset({ line: pos.line + 1, character: 0 }));
  for (const m of lineText.matchAll(PARAM_REFERENCE)) {
    const nameStart = m.index! + m[0].indexOf(m[1]!);
    if (pos.character >= m.index! && pos.character <= m.index! + m[0].length) {
      return hit({ kind: 'param', name: m[1]! }, { start: { line: pos.line, character: nameStart }, end: { line: pos.line, character: nameStart + m[1]!.length } });
    }
  }
  for (const param of flow.params.values()) if (inside(param.keyRange)) return hit({ kind: 'param', name: param.name }, param.keyRange, true);
  for (const source of flow.sources.values()) {
    if (inside(source.nameRange)) return hit({ kind: 'source', source: source.name }, source.nameRange, true);
    for (const table of source.tables.values()) {
      if (inside(table.nameRange)) return hit({ kind: 'source', source: source.name, table: table.name }, table.nameRange, true);
      if (table.path && inside(table.path.range)) return pathOf(table.path);
    }
  }
  for (const step of flow.steps.values()) {
    if (inside(step.nameRange)) return hit({ kind: 'step', name: step.name }, step.nameRange, true);
    if (!inside(step.range)) continue;
    for (const ref of [...step.needs, ...step.inputs]) if (inside(ref.range)) return hit({ kind: 'step', name: ref.value }, ref.range);
    for (const param of step.params) if (inside(param.range)) return hit({ kind: 'param', name: param.value }, param.range);
    for (const file of [...step.deps, ...step.outs, ...step.metrics]) if (inside(file.range)) return pathOf(file);
    for (const file of [step.sql, step.cwd]) if (file && inside(file.range)) return pathOf(file);
  }
  const model = flow.model;
  if (model?.step && inside(model.step.range)) return hit({ kind: 'step', name: model.step.value }, model.step.range);
  if (model?.path && inside(model.path.range)) return pathOf(model.path);
  return undefined;
}

/** A quoted YAML scalar's range without its quotes, so renames keep them. */
export function unquoted(lines: LineIndex, range: Range): Range {
  const start = lines.offset(range.start);
  const end = lines.offset(range.end);
  const first = lines.text[start];
  if (end - start >= 2 && (first === '"' || first === "'") && lines.text[end - 1] === first) return lines.range(start + 1, end - 1);
  return range;
}
