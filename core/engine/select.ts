// Which steps a run visits: all of them, the targets alone, or the targets with their ancestors or descendants.
import type { FlowGraph } from '../flow/graph';
import { closest } from '../flow/suggest';

export type Scope = 'only' | 'upstream' | 'downstream';

export function selectSteps(graph: FlowGraph, targets: string[] | undefined, scope: Scope = 'only'): { steps: Set<string> } | { error: string } {
  if (!targets || targets.length === 0) return { steps: new Set(graph.steps) };
  for (const t of targets) {
    if (graph.steps.includes(t)) continue;
    const guess = closest(t, graph.steps);
    return { error: `unknown step '${t}'${guess ? `: did you mean '${guess}'?` : `; steps are: ${graph.steps.join(', ')}`}` };
  }
  if (scope === 'upstream') return { steps: graph.upstreamOf(targets) };
  if (scope === 'downstream') return { steps: graph.downstreamOf(targets) };
  return { steps: new Set(targets) };
}
