// Document symbols (the outline) and the code lenses above each step.
import type { Flow, Range } from '../flow/model';
import type { FlowAnalysis } from '../flow/analyze';
import type { StepStatus } from '../engine/status';
import { formatDuration } from '../time-text';

export type OutlineKind = 'params' | 'param' | 'sources' | 'source' | 'table' | 'steps' | 'step';

export interface OutlineSymbol {
  name: string;
  kind: OutlineKind;
  detail?: string;
  range: Range;
  selectionRange: Range;
  children: OutlineSymbol[];
}

export function outline(flow: Flow): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  const group = (name: string, kind: OutlineKind, children: OutlineSymbol[]) => {
    if (children.length === 0) return;
    const range = { start: children[0]!.range.start, end: children[children.length - 1]!.range.end };
    out.push({ name, kind, range, selectionRange: children[0]!.selectionRange, children });
  };
  group(
    'params',
    'params',
    [...flow.params.values()].map((p) => ({ name: p.name, kind: 'param', detail: JSON.stringify(p.value), range: span(p.keyRange, p.valueRange), selectionRange: p.keyRange, children: [] })),
  );
  group(
    'sources',
    'sources',
    [...flow.sources.values()].map((s) => {
      const tables: OutlineSymbol[] = [...s.tables.values()].map((t) => ({
        name: t.name,
        kind: 'table',
        detail: t.path?.value,
        range: t.path ? span(t.nameRange, t.path.range) : t.nameRange,
        selectionRange: t.nameRange,
        children: [],
      }));
      const last = tables[tables.length - 1];
      return { name: s.name, kind: 'source', range: last ? span(s.nameRange, last.range) : s.nameRange, selectionRange: s.nameRange, children: tables };
    }),
  );
  group(
    'steps',
    'steps',
    [...flow.steps.values()].map((s) => ({
      name: s.name,
      kind: 'step',
      detail: s.kind === 'sql' ? s.sql?.value : s.run?.value,
      range: span(s.nameRange, s.range),
      selectionRange: s.nameRange,
      children: [],
    })),
  );
  return out;
}

/** The smallest range covering both (LSP requires selectionRange inside range). */
function span(a: Range, b: Range): Range {
  const before = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return { start: before(a.start, b.start) ? a.start : b.start, end: before(a.end, b.end) ? b.end : a.end };
}

export interface StepLens {
  range: Range;
  title: string;
  /** Absent for an informational lens. */
  command?: string;
  args?: unknown[];
}

export const RUN_STEP_COMMAND = 'flowbench.runStep';
export const RUN_UPSTREAM_COMMAND = 'flowbench.runUpstream';
export const OPEN_MODEL_CARD_COMMAND = 'flowbench.openModelCard';
export const DEPLOY_MODEL_COMMAND = 'flowbench.deployModel';
export const PREVIEW_SQL_STEP_COMMAND = 'flowbench.previewSqlStep';

/** Lenses above each step; `statuses` is the engine's up-to-date check, absent while it is computed. */
export function stepLenses(analysis: FlowAnalysis, statuses?: Map<string, StepStatus>): StepLens[] {
  const { flow } = analysis;
  const lenses: StepLens[] = [];
  for (const step of flow.steps.values()) {
    const range = step.nameRange;
    const args = [flow.file, step.name];
    lenses.push({ range, title: '▶ Run', command: RUN_STEP_COMMAND, args });
    if (analysis.graph.parents(step.name).length > 0) lenses.push({ range, title: 'Run upstream', command: RUN_UPSTREAM_COMMAND, args });
    if (step.kind === 'sql') lenses.push({ range, title: 'Preview', command: PREVIEW_SQL_STEP_COMMAND, args });
    lenses.push({ range, title: statuses ? statusTitle(statuses.get(step.name)) : 'status…' });
  }
  if (flow.model?.keyRange && flow.model.path) {
    lenses.push({ range: flow.model.keyRange, title: 'Open Model Card', command: OPEN_MODEL_CARD_COMMAND, args: [flow.file] });
    lenses.push({ range: flow.model.keyRange, title: 'Deploy Model', command: DEPLOY_MODEL_COMMAND, args: [flow.file] });
  }
  return lenses;
}

function statusTitle(status: StepStatus | undefined): string {
  if (!status) return 'status unknown';
  const last = status.last ? ` · last run ${formatDuration(status.last.durationMs)}` : '';
  switch (status.state) {
    case 'up-to-date':
      return `up to date${last}`;
    case 'stale':
      return `stale: ${status.reasons[0] ?? 'inputs changed'}${status.reasons.length > 1 ? ` (+${status.reasons.length - 1})` : ''}`;
    case 'never-run':
      return 'never run';
    case 'invalid':
      return `cannot run: ${status.reasons[0] ?? 'fix the problems in this flow'}`;
  }
}
