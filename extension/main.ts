// Extension entry point: wires the views, commands and tasks over core/ and starts the language
// client. Activation must never fail on a broken flow file: every piece reads flows through
// FlowWorkspace, which turns any failure into problems shown in the tree.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { FlowWorkspace } from './flowWorkspace';
import { PipelinesTree } from './pipelinesTree';
import { ProcessLog } from './processLog';
import { RunFeedback } from './runFeedback';
import { RunManager } from './runManager';
import { RunsTree } from './runsTree';
import { StepLogs } from './stepLogs';
import { FlowbenchTasks, TASK_TYPE } from './tasks';

/** Set while the bundle's top level runs, so the logged activation time includes loading the code. */
const loadedAt = performance.now();

interface LanguageClientLike {
  stop(): Promise<void>;
}
let languageClient: LanguageClientLike | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activateStarted = performance.now();
  const log = new ProcessLog();
  const flows = new FlowWorkspace(log);
  const runs = new RunManager(context.asAbsolutePath('dist/cli.js'), log);
  const stepLogs = new StepLogs();
  const pipelines = new PipelinesTree(flows, runs);
  const runsTree = new RunsTree(flows, runs, log);
  context.subscriptions.push(log, flows, runs, stepLogs, pipelines, runsTree, new RunFeedback(runs));
  context.subscriptions.push(
    vscode.window.createTreeView('flowbench.pipelines', { treeDataProvider: pipelines, showCollapseAll: true }),
    vscode.window.createTreeView('flowbench.runs', { treeDataProvider: runsTree }),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new FlowbenchTasks(flows, runs)),
    runs.onEvent(({ run, event }) => stepLogs.handle(run.flowFile, event)),
    runs.onDidEnd(() => void flows.refresher.flush()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('workspace trusted: running steps is enabled')),
  );
  registerCommands(context, { flows, runs, runsTree, stepLogs, log });
  flows.refresher.request();
  void startLanguageClient(context, log);

  const now = performance.now();
  log.info(
    `Flowbench ${context.extension.packageJSON.version} activated in ${(now - activateStarted).toFixed(1)} ms ` +
      `(${(now - loadedAt).toFixed(1)} ms including loading; trusted=${vscode.workspace.isTrusted})`,
  );
}

/** The language client lives in its own module (language-client.ts); the views work without it. */
async function startLanguageClient(context: vscode.ExtensionContext, log: ProcessLog): Promise<void> {
  try {
    const module = require('./language-client') as { startLanguageClient?: (c: vscode.ExtensionContext) => Promise<LanguageClientLike> };
    if (!module.startLanguageClient) return;
    const started = performance.now();
    languageClient = await module.startLanguageClient(context);
    log.info(`language server started in ${(performance.now() - started).toFixed(0)} ms`);
  } catch (err) {
    log.error('the Flowbench language server did not start (views and runs still work)', err);
  }
}

export async function deactivate(): Promise<void> {
  await languageClient?.stop().catch(() => undefined);
}
