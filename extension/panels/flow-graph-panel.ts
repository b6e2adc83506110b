// "Flowbench: Show Flow Graph": the flow-graph panel's VS Code side. The controller (flow-graph-controller.ts)
// does the work; here are the things that need VS Code: which flow (argument, active editor, a pick),
// opening a definition, running a step through the RunManager (which refuses in an untrusted workspace),
// and the feeds that keep the graph current (flow reloads, live run states, trust).
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { pickFlow } from '../commands';
import type { FlowWorkspace } from '../flow-workspace';
import { flowLabel } from '../pipelines-tree';
import type { ProcessLog } from '../process-log';
import type { RunManager } from '../run-manager';
import { FlowGraphController, type GraphActions, type GraphSource } from './flow-graph-controller';
import { PanelHost } from './panel-host';

export const FLOW_GRAPH_VIEW_TYPE = 'flowbench.flowGraph';

interface Services {
  flows: FlowWorkspace;
  runs: RunManager;
  log: ProcessLog;
}

function graphSource({ flows, runs }: Services): GraphSource {
  return {
    flow(file) {
      const entry = flows.get(file);
      if (!entry) return { title: basename(file), error: `${vscode.workspace.asRelativePath(file)} is not a flow file of this workspace (or is still being read).` };
      return { title: flowLabel(entry), ...(entry.analysis ? { analysis: entry.analysis } : {}), ...(entry.error ? { error: entry.error } : {}) };
    },
    steps(file) {
      return { disk: flows.get(file)?.status ?? new Map(), live: (step) => runs.stepState(file, step), activeRun: runs.activeRun(file) !== undefined };
    },
  };
}

const actions = ({ runs }: Services): GraphActions => ({
  async open(file, range) {
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection, preview: true, viewColumn: vscode.ViewColumn.One });
  },
  async run(file, step) {
    runs.start({ flowFile: file, step });
  },
});

export function registerFlowGraphPanel(context: vscode.ExtensionContext, services: Services): void {
  const { flows, runs, log } = services;
  const host = new PanelHost(
    context,
    {
      viewType: FLOW_GRAPH_VIEW_TYPE,
      title: 'Flow Graph',
      bundle: 'graph',
      controller: (post) => {
        const controller = new FlowGraphController(post, graphSource(services), actions(services), {
          onError: (what, err) => log.error(`flow graph panel: ${what}`, err),
        });
        controller.setTrusted(vscode.workspace.isTrusted);
        return controller;
      },
    },
    log,
  );
  const show = async (arg?: unknown) => {
    const file = await pickFlow(flows, arg);
    if (!file) return;
    if (!flows.get(file)) await flows.refresher.flush();
    host.show(vscode.ViewColumn.Beside).show(file);
  };
  context.subscriptions.push(
    host,
    vscode.commands.registerCommand('flowbench.showFlowGraph', show),
    flows.onDidChange(() => host.controller?.refresh()),
    runs.onDidChange((file) => host.controller?.statusChanged(file)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => host.controller?.setTrusted(true)),
  );
}
