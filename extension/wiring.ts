// Everything the extension sets up on activation: the views, commands, tasks and run feedback over
// core/. Loaded by main.ts inside activate(), so the activation time it logs includes evaluating this code.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDeployCommands } from './deploy-commands';
import { FlowWorkspace } from './flow-workspace';
import { registerExperimentsPanel } from './panels/experiments-panel';
import { registerModelCardPanel } from './panels/model-card-panel';
import { registerFlowGraphPanel } from './panels/flow-graph-panel';
import { registerSqlPreviewPanel } from './panels/sql-preview-panel';
import { SnowflakeSecret } from './snowflake-secret';
import { PipelinesTree } from './pipelines-tree';
import { registerProjectCommands } from './project-commands';
import type { ProcessLog } from './process-log';
import { RunFeedback } from './run-feedback';
import { RunManager } from './run-manager';
import { RunsTree } from './runs-tree';
import { StepLogs } from './step-logs';
import { registerSweepCommands } from './sweep-commands';
import { FlowbenchTasks, TASK_TYPE } from './tasks';

export function wireUp(context: vscode.ExtensionContext, log: ProcessLog): void {
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
    vscode.tasks.registerTaskProvider(TASK_TYPE, new FlowbenchTasks(flows, runs)),
    runs.onEvent(({ run, event }) => stepLogs.handle(run.flowFile, event)),
    runs.onDidEnd(() => void flows.refresher.flush()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('workspace trusted: running steps is enabled')),
  );
  registerCommands(context, { flows, runs, runsTree, stepLogs, log });
  registerExperimentsPanel(context, { flows, runs, log });
  registerModelCardPanel(context, { flows, runs, log });
  registerFlowGraphPanel(context, { flows, runs, log });
  registerDeployCommands(context, { flows, log });
  registerSqlPreviewPanel(context, { flows, log, secret });
  registerProjectCommands(context, flows, log);
  registerSweepCommands(context, flows, log);
  flows.refresher.request();
}
