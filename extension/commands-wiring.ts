// The extension's commands, panels and task provider, registered right after the views (wiring.ts). Reached
// only through `await import()` from main.ts, so it is a chunk of its own (dist/lazy/, scripts/build.mjs): the
// extension host does not compile it before activate(), and activation resolves once it is registered.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDeployCommands } from './deploy-commands';
import { registerExperimentsPanel } from './panels/experiments-panel';
import { registerModelCardPanel } from './panels/model-card-panel';
import { registerFlowGraphPanel } from './panels/flow-graph-panel';
import { registerSqlPreviewPanel } from './panels/sql-preview-panel';
import { registerProjectCommands } from './project-commands';
import { registerSweepCommands } from './sweep-commands';
import { FlowbenchTasks, TASK_TYPE } from './tasks';
import type { Wired } from './wiring';

export function wireCommands(context: vscode.ExtensionContext, { flows, runs, runsTree, stepLogs, secret, log }: Wired): void {
  context.subscriptions.push(vscode.tasks.registerTaskProvider(TASK_TYPE, new FlowbenchTasks(flows, runs)));
  registerCommands(context, { flows, runs, runsTree, stepLogs, log });
  registerExperimentsPanel(context, { flows, runs, log });
  registerModelCardPanel(context, { flows, runs, log });
  registerFlowGraphPanel(context, { flows, runs, log });
  registerDeployCommands(context, { flows, log });
  registerSqlPreviewPanel(context, { flows, log, secret });
  registerProjectCommands(context, flows, log);
  registerSweepCommands(context, flows, log);
}
