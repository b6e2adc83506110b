// A flow's DAG as the graph panel draws it: source tables, SQL and run steps, and the model, with the
// step edges of core/flow/graph.ts plus where data enters (source() in SQL, a run step's dep on a source's
// file) and where the model comes from (model.step, else the step whose outs hold model.path).
import { resolve } from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import { isWithin } from '../flow/graph';
import type { GraphEdge, GraphNode } from './graph-types';

export const stepNodeId = (step: string) => `step:${step}`;
export const sourceNodeId = (source: string, table: string) => `source:${source}.${table}`;
export const MODEL_NODE_ID = 'model';

/** The step a node id names, if it names one. */
export function stepOfNode(id: string): string | undefined {
  return id.startsWith('step:') ? id.slice(5) : undefined;
}

export interface FlowGraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function flowGraphModel({ flow, graph, sql }: FlowAnalysis): FlowGraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const tablePaths: { id: string; path: string }[] = [];
  for (const source of flow.sources.values()) {
    for (const table of source.tables.values()) {
      const id = sourceNodeId(source.name, table.name);
      nodes.push({ id, kind: 'source', label: `${source.name}.${table.name}`, ...(table.path ? { detail: table.path.value } : {}) });
      if (table.path) tablePaths.push({ id, path: resolve(flow.root, table.path.value) });
    }
  }
  const sourceIds = new Set(nodes.map((n) => n.id));
  for (const step of flow.steps.values()) {
    const kind = step.kind ?? (step.sql ? 'sql' : 'run');
    const detail = kind === 'sql' ? step.sql?.value : step.run?.value.split(/\s+/).slice(0, 2).join(' ');
    nodes.push({ id: stepNodeId(step.name), kind, label: step.name, ...(detail ? { detail } : {}) });
    for (const call of sql.get(step.name)?.template.calls ?? []) {
      if (call.fn !== 'source' || call.args.length !== 2) continue;
      const id = sourceNodeId(call.args[0]!, call.args[1]!);
      if (sourceIds.has(id)) edges.push({ from: id, to: stepNodeId(step.name) });
    }
    for (const dep of step.deps) {
      const path = resolve(flow.root, dep.value);
      for (const table of tablePaths) if (isWithin(table.path, path) || isWithin(path, table.path)) edges.push({ from: table.id, to: stepNodeId(step.name) });
    }
  }
  for (const e of graph.edges) edges.push({ from: stepNodeId(e.from), to: stepNodeId(e.to) });
  const model = flow.model;
  if (model) {
    nodes.push({ id: MODEL_NODE_ID, kind: 'model', label: 'model', ...(model.path ? { detail: model.path.value } : {}) });
    const producers = model.step && flow.steps.has(model.step.value)
      ? [model.step.value]
      : model.path
        ? graph.outputs.containing(resolve(flow.root, model.path.value)).map((p) => p.step)
        : [];
    for (const step of new Set(producers)) edges.push({ from: stepNodeId(step), to: MODEL_NODE_ID });
  }
  return { nodes, edges };
}
