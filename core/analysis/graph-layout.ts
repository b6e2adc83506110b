// Lays out a graph top-down for the flow-graph panel and the model card's lineage, in the host (the webview
// only draws). Small graphs (≤ 40 nodes: the example, a card's lineage) go to @dagrejs/dagre (plain JS,
// synchronous, no eval or workers; tight-tree ranking, a fraction of network-simplex's time for the same
// ranks), chosen over elkjs's layered algorithm, which took 2–3× dagre's CPU time. Bigger ones go to
// layered-layout.ts: dagre's CPU time grows to ~0.2 s at 70 nodes and ~2 s at 500 steps, which is over the
// 1 s target and blocks the extension host; the layered layout does 500 steps in about a tenth of that, so
// both stay on the host thread (test/bench/graph.bench.ts prints both side by side). Deterministic: the same
// nodes and edges in the same order give the same positions.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode, LaidOutGraph, Point } from './graph-types';
import { layeredLayout, type LayeredResult, type LayeredSpacing } from './layered-layout';

export interface LayoutOptions {
  /** dagre: above this many nodes its crossing-minimisation sweeps are skipped (they grow fastest with size). */
  orderSweepsUpTo?: number;
  /** Above this many nodes the graph goes to layered-layout.ts instead of dagre. */
  layeredAbove?: number;
}

const NODE_HEIGHT = 44;
const MIN_WIDTH = 120;
const MAX_WIDTH = 260;
/** Average advance of a 13px UI font character; the host cannot measure text, so widths are estimated. */
const CHAR_WIDTH = 7.2;
const DEFAULT_ORDER_SWEEPS_UP_TO = 300;
const DEFAULT_LAYERED_ABOVE = 40;
const SPACING: LayeredSpacing = { nodeHeight: NODE_HEIGHT, nodesep: 24, edgesep: 12, ranksep: 44, margin: 8 };

export function nodeWidth(node: GraphNode): number {
  const label = node.label.length * CHAR_WIDTH;
  const detail = (node.detail?.length ?? 0) * CHAR_WIDTH * 0.85;
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.max(label, detail) + 48)));
}

export function layoutGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: LayoutOptions = {}): LaidOutGraph {
  const unique: GraphNode[] = [];
  const index = new Map<string, number>();
  for (const node of nodes) {
    if (index.has(node.id)) continue;
    index.set(node.id, unique.length);
    unique.push(node);
  }
  const kept: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    // A self-edge or a duplicate draws nothing more; an edge to a node not in the graph has no end.
    if (e.from === e.to || seen.has(key) || !index.has(e.from) || !index.has(e.to)) continue;
    seen.add(key);
    kept.push({ from: e.from, to: e.to });
  }
  const widths = unique.map(nodeWidth);
  const placed =
    unique.length > (options.layeredAbove ?? DEFAULT_LAYERED_ABOVE)
      ? layeredLayout(widths, kept.map((e) => [index.get(e.from)!, index.get(e.to)!] as const), SPACING)
      : dagreLayout(unique, widths, kept, options);
  const laidNodes = unique.map((node, i) => {
    const at = placed.centers[i]!;
    return { ...node, x: at.x - widths[i]! / 2, y: at.y - NODE_HEIGHT / 2, width: widths[i]!, height: NODE_HEIGHT };
  });
  const laidEdges = kept.map((e, i) => ({ ...e, points: attach(placed.points[i]!, laidNodes[index.get(e.from)!]!, laidNodes[index.get(e.to)!]!) }));
  return { nodes: laidNodes, edges: laidEdges, width: placed.width, height: placed.height };
}

function dagreLayout(nodes: readonly GraphNode[], widths: readonly number[], edges: readonly GraphEdge[], options: LayoutOptions): LayeredResult {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  const { nodesep, edgesep, ranksep, margin } = SPACING;
  g.setGraph({ rankdir: 'TB', nodesep, ranksep, edgesep, marginx: margin, marginy: margin, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  nodes.forEach((node, i) => g.setNode(node.id, { width: widths[i]!, height: NODE_HEIGHT }));
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g, { disableOptimalOrderHeuristic: nodes.length > (options.orderSweepsUpTo ?? DEFAULT_ORDER_SWEEPS_UP_TO) });
  const size = g.graph();
  return {
    centers: nodes.map((node) => g.node(node.id)),
    points: edges.map((e) => g.edge(e.from, e.to).points ?? []),
    width: size.width ?? 0,
    height: size.height ?? 0,
  };
}

type Box = { x: number; y: number; width: number; height: number };

/**
 * dagre ends an edge where its first or last segment crosses the box, which is a side for a steep segment
 * from a wide box; a top-down picture reads better with every downward edge leaving a bottom and entering
 * a top. (Edges dagre turned around to break a cycle keep its ends.)
 */
function attach(points: readonly Point[], from: Box, to: Box): Point[] {
  const out = points.map((p) => ({ x: p.x, y: p.y }));
  if (out.length < 2 || from.y + from.height > to.y) return out;
  const inside = (x: number, box: Box) => Math.min(box.x + box.width - 6, Math.max(box.x + 6, x));
  out[0] = { x: inside(out[0]!.x, from), y: from.y + from.height };
  out[out.length - 1] = { x: inside(out[out.length - 1]!.x, to), y: to.y };
  return out;
}
