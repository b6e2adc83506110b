// Lays out a graph top-down for the flow-graph panel and the model card's lineage, in the host (the webview
// only draws). Over @dagrejs/dagre (plain JS, synchronous, no eval or workers), chosen by measurement on a
// generated 500-step flow against elkjs's layered algorithm, which took 2–3× dagre's CPU time there
// (test/bench/graph.bench.ts measures ours). dagre's own network-simplex ranking was the larger part of
// its time; the tight-tree ranker gives the same number of ranks in a fraction of it. Deterministic: the
// same nodes and edges in the same order give the same positions.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode, LaidOutGraph, Point } from './graph-types';

export interface LayoutOptions {
  /** Above this many nodes the crossing-minimisation sweeps are skipped (they grow fastest with size). */
  orderSweepsUpTo?: number;
}

const NODE_HEIGHT = 44;
const MIN_WIDTH = 120;
const MAX_WIDTH = 260;
/** Average advance of a 13px UI font character; the host cannot measure text, so widths are estimated. */
const CHAR_WIDTH = 7.2;
const DEFAULT_ORDER_SWEEPS_UP_TO = 300;

export function nodeWidth(node: GraphNode): number {
  const label = node.label.length * CHAR_WIDTH;
  const detail = (node.detail?.length ?? 0) * CHAR_WIDTH * 0.85;
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.max(label, detail) + 48)));
}

export function layoutGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: LayoutOptions = {}): LaidOutGraph {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 44, edgesep: 12, marginx: 8, marginy: 8, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const node of nodes) {
    if (ids.has(node.id)) continue;
    ids.add(node.id);
    g.setNode(node.id, { width: nodeWidth(node), height: NODE_HEIGHT });
  }
  const kept: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    // A self-edge or a duplicate draws nothing more; an edge to a node not in the graph has no end.
    if (e.from === e.to || seen.has(key) || !ids.has(e.from) || !ids.has(e.to)) continue;
    seen.add(key);
    kept.push({ from: e.from, to: e.to });
    g.setEdge(e.from, e.to);
  }
  dagre.layout(g, { disableOptimalOrderHeuristic: ids.size > (options.orderSweepsUpTo ?? DEFAULT_ORDER_SWEEPS_UP_TO) });
  const placed = new Set<string>();
  const laidNodes = [];
  for (const node of nodes) {
    if (placed.has(node.id)) continue;
    placed.add(node.id);
    const at = g.node(node.id);
    laidNodes.push({ ...node, x: at.x - at.width / 2, y: at.y - at.height / 2, width: at.width, height: at.height });
  }
  const boxes = new Map(laidNodes.map((n) => [n.id, n]));
  const laidEdges = kept.map((e) => ({ ...e, points: attach(g.edge(e.from, e.to).points ?? [], boxes.get(e.from)!, boxes.get(e.to)!) }));
  const size = g.graph();
  return { nodes: laidNodes, edges: laidEdges, width: size.width ?? 0, height: size.height ?? 0 };
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
