// The flow-graph panel's message contract: the only module both the panel (webviews/flow-graph) and its host
// (extension/panels/flow-graph-controller.ts) import from each other. Pure TS.
//
// The host lays the graph out (core/analysis/graph-layout.ts) and sends it whole only when its shape changed
// (a node or edge added or removed in the flow file); status changes during a run travel as deltas.
import { command, notification } from '../platform/protocol';
import type { LaidOutGraph, NodeStatus } from '../graph/types';

/** Saved with setState, so a panel revived after a window reload shows the same flow. */
export interface ViewState {
  flowFile?: string;
}

export interface GraphShown {
  flowFile: string;
  /** The flow's name (or its file name). */
  title: string;
  graph: LaidOutGraph;
  /** By node id; nodes without a status are absent. */
  status: Record<string, NodeStatus>;
  /** Errors in the flow (the graph shows what could be understood). */
  errors: number;
  /** False in an untrusted workspace: no run buttons. */
  canRun: boolean;
}

// host → webview
export const ShowGraph = notification<GraphShown>('graph/show');
/** Only the nodes whose status changed; `null` removes a node's status. */
export const StatusPatched = notification<{ flowFile: string; status: Record<string, NodeStatus | null> }>('graph/status');
/** Nothing to show: no flow file, or it could not be read. */
export const ShowMessage = notification<{ message: string }>('graph/message');

// webview → host
/** Open the node's definition in the flow file (a step's name, a source table, the model section). */
export const OpenNode = command<{ flowFile: string; id: string }>('graph/open');
/** Run one step (the host refuses in an untrusted workspace). */
export const RunNode = command<{ flowFile: string; id: string }>('graph/run');
