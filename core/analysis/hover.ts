// Hover text (Markdown) for steps, params, sources, paths and flow keys.
import * as path from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import type { Position, Range, Step } from '../flow/model';
import { formatParam } from '../flow/interpolate';
import { targetsAt, type Target } from './locate';
import { describe, schemaAt } from './schema';
import { lastRun } from './status';
import { formatDuration } from '../time-text';
import { yamlContextAt } from './yaml-context';
import { columnHover } from './column-hover';
import type { WorkspaceIndex } from './workspace';

export interface HoverInfo {
  markdown: string;
  range?: Range;
}

export async function hover(ws: WorkspaceIndex, file: string, pos: Position): Promise<HoverInfo | undefined> {
  const hits = targetsAt(ws, file, pos);
  const parts = (await Promise.all(hits.map((hit) => describeTarget(hit.analysis, hit.target)))).filter((s): s is string => !!s);
  if (parts.length > 0) return { markdown: [...new Set(parts)].join('\n\n---\n\n'), range: hits[0]!.range };
  const analysis = ws.flow(file)?.analysis;
  return (analysis && columnHover(analysis, pos)) || keyHover(ws, file, pos);
}

async function describeTarget(analysis: FlowAnalysis, target: Target): Promise<string | undefined> {
  const { flow } = analysis;
  switch (target.kind) {
    case 'step': {
      const step = flow.steps.get(target.name);
      return step ? describeStep(analysis, step) : `Unknown step \`${target.name}\` in flow \`${flow.name?.value ?? ''}\`.`;
    }
    case 'param': {
      const param = flow.params.get(target.name);
      return param ? `**param** \`${param.name}\` = \`${formatParam(param.value)}\`` : `Unknown param \`${target.name}\`.`;
    }
    case 'source': {
      const source = flow.sources.get(target.source);
      if (!source) return `Unknown source \`${target.source}\`.`;
      const tables = target.table ? [source.tables.get(target.table)].filter((t) => !!t) : [...source.tables.values()];
      const lines = tables.map((t) => `- \`${t!.name}\`: ${t!.path ? `\`${t!.path.value}\`` : '(no path)'}${t!.format ? ` (${t!.format.value})` : ''}`);
      return `**source** \`${source.name}\`${target.table && lines.length === 0 ? ` has no table \`${target.table}\`` : ''}\n\n${lines.join('\n')}`;
    }
    case 'path':
      return `\`${path.relative(flow.root, target.path) || '.'}\``;
  }
}

async function describeStep(analysis: FlowAnalysis, step: Step): Promise<string> {
  const lines = [`**step** \`${step.name}\` (${step.kind ?? 'incomplete'})`];
  if (step.description) lines.push(step.description.value);
  if (step.run) lines.push('```sh\n' + step.run.value + '\n```');
  if (step.sql) lines.push(`SQL: \`${step.sql.value}\`${step.materialize ? ` → ${step.materialize.value}` : ''}`);
  const list = (label: string, items: { value: string }[]) => {
    if (items.length > 0) lines.push(`${label}: ${items.map((i) => `\`${i.value}\``).join(', ')}`);
  };
  list('deps', step.deps);
  list('outs', step.outs);
  list('inputs', step.inputs);
  list('needs', step.needs);
  const parents = analysis.graph.parents(step.name);
  if (parents.length > 0) lines.push(`upstream: ${parents.map((p) => `\`${p}\``).join(', ')}`);
  if (step.compute.target !== 'local') lines.push(`compute: ${step.compute.target}${step.compute.instanceType ? ` (${step.compute.instanceType.value})` : ''}`);
  const last = await lastRun(analysis.flow, step.name);
  if (!last) lines.push('last run: none recorded');
  else {
    const verb = last.outcome === 'failed' || last.outcome === 'cancelled' ? `${last.outcome} after` : `${last.outcome} in`;
    lines.push(`last run: ${verb} ${formatDuration(last.durationMs)} at ${new Date(last.finishedAt).toISOString()} (run ${last.runId})${last.message ? `: ${last.message}` : ''}`);
  }
  return lines.join('\n\n');
}

/** Docs of the flow-file key under the cursor, from the JSON Schema. */
function keyHover(ws: WorkspaceIndex, file: string, pos: Position): HoverInfo | undefined {
  const entry = ws.flow(file);
  if (!entry?.analysis) return undefined;
  const lines = ws.lines(file, entry.text);
  const lineStart = lines.offset({ line: pos.line, character: 0 });
  const lineText = entry.text.slice(lineStart, lines.offset({ line: pos.line + 1, character: 0 }));
  const key = /^(\s*(?:-\s+)?)([\w-]+)\s*:/.exec(lineText);
  if (!key || pos.character < key[1]!.length || pos.character > key[1]!.length + key[2]!.length) return undefined;
  const ctx = yamlContextAt(entry.text, lineStart + key[1]!.length);
  const doc = ctx && describe(schemaAt([...ctx.path, key[2]!]));
  if (!doc) return undefined;
  const start = key[1]!.length;
  return { markdown: `**${key[2]}**: ${doc}`, range: { start: { line: pos.line, character: start }, end: { line: pos.line, character: start + key[2]!.length } } };
}
