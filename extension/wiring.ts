// What the extension sets up on activation: the Flowbench views and what they show (flows, runs, run
// feedback). Loaded by main.ts inside activate(), so the activation time it logs includes evaluating this code.
// Commands, panels and tasks come right after, from their own chunk (commands-wiring.ts).
import * as vscode from 'vscode';
import { FlowWorkspace } from './flow-workspace';
import { SnowflakeSecret } from './snowflake-secret';
import { PipelinesTree } from './pipelines-tree';
import type { ProcessLog } from './process-log';
import { RunFeedback } from './run-feedback';
import { RunManager } from './run-manager';
import { RunsTree } from './runs-tree';
import { StepLogs } from './step-logs';

/** What the commands and panels act on. */
export interface Wired {
  flows: FlowWorkspace;
  runs: RunManager;
  runsTree: RunsTree;
  stepLogs: StepLogs;
  secret: SnowflakeSecret;
  log: ProcessLog;
}

export function wireViews(context: vscode.ExtensionContext, log: ProcessLog): Wired {
  const flows = new FlowWorkspace(log);
  const secret = new SnowflakeSecret(context.secrets);
  const runs = new RunManager(context.asAbsolutePath('dist/cli.js'), log, () => secret.env());
  const stepLogs = new StepLogs();
  const pipelines = new PipelinesTree(flows, runs);
  const runsTree = new RunsTree(flows, runs, log);
  context.subscriptions.push(secret, flows, runs, stepLogs, pipelines, runsTree, new RunFeedback(runs));
  context.subscriptions.push(
    vscode.window.createTreeView('flowbench.pipelines', { treeDataProvider: pipelines, showCollapseAll: true }),
    vscode.window.createTreeView('flowbench.runs', { treeDataProvider: runsTree }),
    runs.onEvent(({ run, event }) => stepLogs.handle(run.flowFile, event)),
    runs.onDidEnd(() => void flows.refresher.flush()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('workspace trusted: running steps is enabled')),
  );
  flows.refresher.request();
  return { flows, runs, runsTree, stepLogs, secret, log };
}
