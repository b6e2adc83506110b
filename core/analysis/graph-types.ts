// The drawn flow graph as plain data: what the host lays out (graph-layout.ts) and the webview component
// (webviews/graph/flow-graph.tsx) draws. Types only, no imports, so both sides and the card's lineage share it.

export type GraphNodeKind = 'source' | 'sql' | 'run' | 'model';

export interface GraphNode {
  /** Unique in the graph: `step:NAME`, `source:SRC.TABLE`, `model` (see flow-graph.ts). */
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** A second line: the SQL file, the command, the data path. */
  detail?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface Point {
  x: number;
  y: number;
}

/** `x`, `y`: the node's top-left corner, in graph units (pixels at zoom 1). */
export interface LaidOutNode extends GraphNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `points`: the polyline from the border of `from` to the border of `to`. */
export interface LaidOutEdge extends GraphEdge {
  points: Point[];
}

export interface LaidOutGraph {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

/** What a node shows: the disk status of a step (core/engine/status.ts) or its live state in a run. */
export type NodeState =
  | 'up-to-date'
  | 'stale'
  | 'never-run'
  | 'invalid'
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'cached'
  | 'restored'
  | 'failed'
  | 'cancelled'
  | 'skipped'
  | 'unknown';

export interface NodeStatus {
  state: NodeState;
  /** Why it is stale or cannot run, or why the run started it; shown on hover and focus. */
  reasons?: string[];
  /** A failure's message. */
  message?: string;
}
