// Go to definition, find references and rename, over a flow and the SQL files its steps use.
import type { FlowAnalysis } from '../flow/analyze';
import type { Position, Range, TextEdit } from '../flow/model';
import { STEP_NAME } from '../flow/parse';
import { emptyRange } from '../flow/positions';
import { PARAM_REFERENCE, targetsAt, unquoted, type SymbolHit, type Target } from './locate';
import type { WorkspaceIndex } from './workspace';
import * as path from 'node:path';

export interface FileLocation {
  file: string;
  range: Range;
}

export function definition(ws: WorkspaceIndex, file: string, pos: Position): FileLocation[] {
  return targetsAt(ws, file, pos).flatMap((hit) => declarationOf(ws, hit.analysis, hit.target));
}

function declarationOf(ws: WorkspaceIndex, analysis: FlowAnalysis, target: Target): FileLocation[] {
  const { flow } = analysis;
  const at = (range: Range | undefined) => (range ? [{ file: flow.file, range: unquoted(flowLines(ws, analysis), range) }] : []);
  switch (target.kind) {
    case 'step':
      return at(flow.steps.get(target.name)?.nameRange);
    case 'param':
      return at(flow.params.get(target.name)?.keyRange);
    case 'source': {
      const source = flow.sources.get(target.source);
      return at(target.table ? source?.tables.get(target.table)?.nameRange : source?.nameRange);
    }
    case 'path':
      return ws.host.exists(target.path) ? [{ file: target.path, range: emptyRange }] : [];
  }
}

export function references(ws: WorkspaceIndex, file: string, pos: Position, includeDeclaration: boolean): FileLocation[] {
  const out: FileLocation[] = [];
  for (const hit of targetsAt(ws, file, pos)) {
    if (includeDeclaration) out.push(...declarationOf(ws, hit.analysis, hit.target));
    out.push(...usesOf(ws, hit.analysis, hit.target));
  }
  return out;
}

/** Every place in the flow file and its SQL files that refers to `target`, declaration excluded. */
function usesOf(ws: WorkspaceIndex, analysis: FlowAnalysis, target: Target): FileLocation[] {
  const { flow } = analysis;
  const lines = flowLines(ws, analysis);
  const out: FileLocation[] = [];
  const inFlow = (range: Range) => out.push({ file: flow.file, range: unquoted(lines, range) });
  const inSql = (fn: string, matches: (args: string[], index: number) => boolean) => {
    for (const info of analysis.sql.values()) {
      const sqlLines = info.lines;
      for (const call of info.template.calls) {
        if (call.fn !== fn) continue;
        call.argRanges.forEach((r, i) => {
          if (matches(call.args, i)) out.push({ file: info.file, range: sqlLines.range(r.start, r.end) });
        });
      }
    }
  };
  switch (target.kind) {
    case 'step':
      for (const step of flow.steps.values()) for (const ref of [...step.needs, ...step.inputs]) if (ref.value === target.name) inFlow(ref.range);
      if (flow.model?.step?.value === target.name) inFlow(flow.model.step.range);
      inSql('ref', (args, i) => i === 0 && args[0] === target.name);
      break;
    case 'param':
      for (const m of lines.text.matchAll(PARAM_REFERENCE)) {
        if (m[1] !== target.name) continue;
        const start = m.index! + m[0].indexOf(m[1]);
        out.push({ file: flow.file, range: lines.range(start, start + m[1].length) });
      }
      for (const step of flow.steps.values()) for (const p of step.params) if (p.value === target.name) inFlow(p.range);
      inSql('param', (args, i) => i === 0 && args[0] === target.name);
      break;
    case 'source':
      inSql('source', (args, i) => args[0] === target.source && (target.table === undefined ? i === 0 : i === 1 && args[1] === target.table));
      break;
    case 'path':
      for (const step of flow.steps.values()) {
        for (const p of [...step.deps, ...step.outs, ...step.metrics, ...(step.sql ? [step.sql] : [])]) {
          if (path.resolve(flow.root, p.value) === target.path) inFlow(p.range);
        }
      }
      break;
  }
  return out;
}

/** Where a rename may start: only steps are renamed (across the flow and its SQL files). */
export function renameRange(ws: WorkspaceIndex, file: string, pos: Position): SymbolHit | undefined {
  return targetsAt(ws, file, pos).find((hit) => hit.target.kind === 'step' && hit.analysis.flow.steps.has(hit.target.name));
}

export function renameStep(ws: WorkspaceIndex, file: string, pos: Position, newName: string): { edits: TextEdit[] } | { error: string } {
  const hit = renameRange(ws, file, pos);
  if (!hit) return { error: 'Only steps can be renamed: place the cursor on a step name, a needs/inputs entry or a ref().' };
  if (!STEP_NAME.test(newName)) return { error: `'${newName}' is not a valid step name: start with a letter, then letters, digits, _ or -.` };
  if (hit.analysis.flow.steps.has(newName)) return { error: `A step named '${newName}' already exists in this flow.` };
  const locations = [...declarationOf(ws, hit.analysis, hit.target), ...usesOf(ws, hit.analysis, hit.target)];
  return { edits: locations.map((l) => ({ file: l.file, range: l.range, newText: newName })) };
}

function flowLines(ws: WorkspaceIndex, analysis: FlowAnalysis) {
  const file = analysis.flow.file;
  return ws.lines(file, ws.flow(file)?.text ?? ws.text(file) ?? '');
}
