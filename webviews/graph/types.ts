// The shared flow-graph component's data (declared once in core/analysis/graph-types.ts, which the host's
// layout produces): re-exported here so panels import the component and its types from one folder.
export type {
  GraphEdge,
  GraphNode,
  GraphNodeKind,
  LaidOutEdge,
  LaidOutGraph,
  LaidOutNode,
  NodeState,
  NodeStatus,
  Point,
} from '../../core/analysis/graph-types';
