// The flow-graph panel's host logic, vscode-free: it turns a flow's analysis into a laid-out graph
// (core/analysis/flow-graph.ts, graph-layout.ts), sends it after Ready, re-lays it out when the flow's
// shape changes (debounced: edits come in bursts), and otherwise sends only the nodes whose status changed
// (a run's live step states, a refreshed disk status). Opening and running go out through `actions`.
// The layout runs on the host's thread: graph-layout.ts keeps it to ~0.1 s of CPU at 500 steps, less than
// the flow's analysis the panel has already paid for, and status updates never re-lay out.
import { flowGraphModel, MODEL_NODE_ID, sourceNodeId, stepNodeId, stepOfNode, type FlowGraphModel } from '../../core/analysis/flow-graph';
import type { NodeStatus } from '../../core/analysis/graph-types';
import type { layoutGraph } from '../../core/analysis/graph-layout';
import type { FlowAnalysis } from '../../core/flow/analyze';
import type { Range } from '../../core/flow/model';
import type { WireMessage } from '../../webviews/platform/protocol';
import { ReportError } from '../../webviews/platform/protocol';
import { OpenNode, RunNode, ShowGraph, ShowMessage, StatusPatched, type ViewState } from '../../webviews/flow-graph/contract';
import type { StepStatusView } from '../flow-workspace';
import { shownState, type LiveStep } from '../step-state';
import { ChannelController } from './channel-controller';

export interface GraphSource {
  /** The flow's analysis, or undefined when it could not be read (with why). */
  flow(file: string): { analysis?: FlowAnalysis; error?: string; title: string };
  /** Per step: the status from disk, the live state of a run (or its last outcome), and whether a run is going. */
  steps(file: string): { disk: Map<string, StepStatusView>; live(step: string): LiveStep | undefined; activeRun: boolean };
}

export interface GraphActions {
  open(file: string, range: Range): Promise<void>;
  run(file: string, step: string): Promise<void>;
}

export interface GraphControllerOptions {
  /** A flow change re-lays out after this quiet time (default 200 ms). */
  debounceMs?: number;
  onError?(what: string, err: unknown): void;
}

/** What a step's node shows: the same precedence as the Pipelines tree (extension/step-state.ts). */
export function nodeStatus(disk: StepStatusView | undefined, live: LiveStep | undefined, activeRun: boolean): NodeStatus | undefined {
  const state = shownState(disk?.kind, live, activeRun);
  if (state === 'unknown') return undefined;
  const reasons = state === 'running' ? live?.reasons : state === 'stale' || state === 'invalid' ? disk?.reasons : undefined;
  const message = state === 'failed' || state === 'cancelled' ? live?.message : undefined;
  return { state, ...(reasons?.length ? { reasons } : {}), ...(message ? { message } : {}) };
}

const sameStatus = (a: NodeStatus | undefined, b: NodeStatus | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Nodes and edges in order: equal signatures need no new layout. */
function shapeOf(model: FlowGraphModel): string {
  return JSON.stringify([model.nodes, model.edges]);
}

export class FlowGraphController extends ChannelController {
  private file: string | undefined;
  private ready = false;
  private shape = '';
  private analysis: FlowAnalysis | undefined;
  private sent = new Map<string, NodeStatus>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private canRun = true;
  /** Set before `ready`: every render after Ready has it. */
  private layout: typeof layoutGraph = () => {
    throw new Error('the graph layout is not loaded yet');
  };
  private readonly debounceMs: number;
  private readonly onError: (what: string, err: unknown) => void;

  constructor(
    post: (message: WireMessage) => void,
    private readonly source: GraphSource,
    private readonly actions: GraphActions,
    options: GraphControllerOptions = {},
  ) {
    const onError = options.onError ?? (() => undefined);
    super(post, onError);
    this.debounceMs = options.debounceMs ?? 200;
    this.onError = onError;
    const c = this.channel;
    // The layout library is loaded with the panel, not at activation (a chunk of its own, scripts/build.mjs).
    const layoutLoaded = import('../../core/analysis/graph-layout').then((m) => (this.layout = m.layoutGraph));
    c.onReady<ViewState>(async ({ state }) => {
      await layoutLoaded;
      this.ready = true;
      this.file ??= state?.flowFile;
      this.render(true);
    });
    c.onCommand(ReportError, ({ message, stack }) => this.onError('webview', Object.assign(new Error(message), { stack })));
    c.onCommand(OpenNode, ({ flowFile, id }) => this.open(flowFile, id));
    c.onCommand(RunNode, async ({ flowFile, id }) => {
      const step = stepOfNode(id);
      if (step && this.canRun && flowFile === this.file && this.analysis?.flow.steps.has(step)) await this.actions.run(flowFile, step);
    });
  }

  /** The flow file shown. */
  get flowFile(): string | undefined {
    return this.file;
  }

  /** Show this flow (a new one lays out now; the same one only refreshes). */
  show(file: string): void {
    if (file === this.file) return this.refresh();
    this.file = file;
    this.shape = '';
    if (this.ready) this.render(true);
  }

  /** The flow (or anything it reads) changed: re-derive the graph once edits settle. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.ready) this.render(false);
    }, this.debounceMs);
  }

  /** Step states changed (a run's events): send the nodes that now show something else. */
  statusChanged(file: string): void {
    if (!this.ready || file !== this.file || !this.analysis) return;
    const next = this.statusOf(file, this.analysis);
    const delta: Record<string, NodeStatus | null> = {};
    let changed = false;
    for (const [id, status] of next) {
      if (!sameStatus(status, this.sent.get(id))) {
        delta[id] = status;
        changed = true;
      }
    }
    for (const id of this.sent.keys()) {
      if (!next.has(id)) {
        delta[id] = null;
        changed = true;
      }
    }
    this.sent = next;
    if (changed) this.channel.notify(StatusPatched, { flowFile: file, status: delta });
  }

  setTrusted(trusted: boolean): void {
    if (trusted === this.canRun) return;
    this.canRun = trusted;
    if (this.ready) this.render(true);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private render(force: boolean): void {
    const file = this.file;
    if (!file) return this.channel.notify(ShowMessage, { message: 'No flow to show: open a *.flow.yaml file and run "Flowbench: Show Flow Graph".' });
    const { analysis, error, title } = this.source.flow(file);
    if (!analysis) {
      this.analysis = undefined;
      this.shape = '';
      return this.channel.notify(ShowMessage, { message: error ?? `${file} is not a flow in this workspace.` });
    }
    this.analysis = analysis;
    const model = flowGraphModel(analysis);
    const shape = shapeOf(model);
    if (!force && shape === this.shape) return this.statusChanged(file);
    this.shape = shape;
    this.sent = this.statusOf(file, analysis);
    this.channel.notify(ShowGraph, {
      flowFile: file,
      title,
      graph: this.layout(model.nodes, model.edges),
      status: Object.fromEntries(this.sent),
      errors: analysis.problems.filter((p) => p.severity === 'error').length,
      canRun: this.canRun,
    });
  }

  private statusOf(file: string, analysis: FlowAnalysis): Map<string, NodeStatus> {
    const { disk, live, activeRun } = this.source.steps(file);
    const status = new Map<string, NodeStatus>();
    for (const step of analysis.flow.steps.keys()) {
      const shown = nodeStatus(disk.get(step), live(step), activeRun);
      if (shown) status.set(stepNodeId(step), shown);
    }
    return status;
  }

  private async open(file: string, id: string): Promise<void> {
    const flow = file === this.file ? this.analysis?.flow : undefined;
    if (!flow) return;
    const step = stepOfNode(id);
    let range: Range | undefined;
    if (step) range = flow.steps.get(step)?.nameRange;
    else if (id === MODEL_NODE_ID) range = flow.model?.range;
    else if (id.startsWith('source:')) {
      for (const source of flow.sources.values())
        for (const table of source.tables.values()) if (sourceNodeId(source.name, table.name) === id) range = table.nameRange;
    }
    if (range) await this.actions.open(file, range);
  }
}
