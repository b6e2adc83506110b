// "Flowbench: Open Experiments": the experiments panel's VS Code side. Runs come from every flow's run
// store (workspace-runs.ts); the controller (experiments-controller.ts) does the rest. Here live only the
// things that need VS Code: the row actions, the delete confirmation, the live event feed, the active
// editor's flow, and the URI `flowbench show` prints (…/experiments?run=ID).
import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RunSummary } from '../../core/runs/types';
import type { FlowWorkspace } from '../flow-workspace';
import type { ProcessLog } from '../process-log';
import type { RunManager } from '../run-manager';
import { RunAction, SetStarred, type RowAction } from '../../webviews/experiments/contract';
import { ExperimentsController, type RunActions } from './experiments-controller';
import { PanelHost } from './panel-host';
import { contextRunId, ROW_ACTION_COMMANDS, TOGGLE_STAR_COMMAND } from './row-commands';
import { workspaceRuns, type WorkspaceRuns } from './workspace-runs';
import { mlflowRuns, READ_ONLY, withMlflow } from './mlflow-runs';
import { findTrackingLocations } from '../../core/mlflow/locate';

export const EXPERIMENTS_VIEW_TYPE = 'flowbench.experiments';
/** Set in the extension's terminals so `flowbench show` can print a link that opens this panel on a run. */
export const OPEN_URI_VARIABLE = 'FLOWBENCH_EXPERIMENTS_URI';

interface Services {
  flows: FlowWorkspace;
  runs: RunManager;
  log: ProcessLog;
}

/** A YAML value for `--set name=value` that reads back as the value the run had. */
function overrideText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function runActions(source: WorkspaceRuns, { runs, log }: Services): RunActions {
  const stateDir = (run: RunSummary) => source.stateDirOf(run.id) ?? join(dirname(run.flowFile), '.flowbench');
  return {
    async run(action, run) {
      if (run.source === 'mlflow' && action !== 'copyId') return void vscode.window.showInformationMessage(`${run.id} is from MLflow (${run.flowFile}). ${READ_ONLY}`);
      switch (action) {
        case 'copyId':
          await vscode.env.clipboard.writeText(run.id);
          vscode.window.setStatusBarMessage(`Copied run id ${run.id}`, 3000);
          return;
        case 'rerun':
          runs.start({ flowFile: run.flowFile, overrides: Object.fromEntries(Object.entries(run.overrides).map(([k, v]) => [k, overrideText(v)])) });
          return;
        case 'modify':
          await vscode.commands.executeCommand('flowbench.runWithParams', run.flowFile, run.params);
          return;
        case 'logs': {
          const dir = join(stateDir(run), 'logs', run.id);
          const logs = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.log')) : [];
          if (logs.length === 0) return void vscode.window.showInformationMessage(`Run ${run.id} has no step logs (its steps printed nothing, or were cached).`);
          const pick = logs.length === 1 ? logs[0] : (await vscode.window.showQuickPick(logs.map((name) => ({ label: name.slice(0, -4), name })), { placeHolder: `Step logs of run ${run.id}` }))?.name;
          if (pick) await vscode.window.showTextDocument(vscode.Uri.file(join(dir, pick)), { preview: true });
          return;
        }
        case 'reveal': {
          const record = await source.storeOf(run.id)?.get(run.id);
          const root = dirname(run.flowFile);
          const present = (record?.artifacts ?? []).map((a) => resolve(root, a.path)).filter((path) => existsSync(path));
          const target = present.length > 1 ? (await vscode.window.showQuickPick(present.map((path) => ({ label: vscode.workspace.asRelativePath(path), path }))))?.path : present[0];
          if (target) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(target));
          else if (present.length === 0) void vscode.window.showInformationMessage(`Run ${run.id} recorded no outputs that still exist.`);
          return;
        }
      }
    },
    async confirmDelete(run) {
      if (run.source === 'mlflow') {
        void vscode.window.showInformationMessage(READ_ONLY);
        return false;
      }
      const answer = await vscode.window.showWarningMessage(
        `Delete run ${run.id} of ${run.flow}?`,
        { modal: true, detail: 'Its record, metric histories and step logs are deleted; cached outputs stay.' },
        'Delete',
      );
      if (answer === 'Delete') log.info(`deleting run ${run.id}`);
      return answer === 'Delete';
    },
    async saveExport(name, mime, data) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      // The name is the webview's suggestion: a file name, never a path.
      const file = name.replace(/[\\/]/g, '_');
      const ext = file.slice(file.lastIndexOf('.') + 1);
      const target = await vscode.window.showSaveDialog({
        defaultUri: folder ? vscode.Uri.joinPath(folder, file) : undefined,
        filters: { [mime === 'text/csv' ? 'CSV' : `${ext.toUpperCase()} image`]: [ext] },
        saveLabel: 'Export',
      });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, typeof data === 'string' ? new TextEncoder().encode(data) : data);
      vscode.window.setStatusBarMessage(`Exported ${vscode.workspace.asRelativePath(target)}`, 5000);
    },
    async saveCsv(csv, rows) {
      const doc = await vscode.workspace.openTextDocument({ content: csv, language: 'csv' });
      await vscode.window.showTextDocument(doc, { preview: false });
      vscode.window.setStatusBarMessage(`Exported ${rows} runs as CSV (save the document to keep it)`, 5000);
    },
  };
}

const MLFLOW_TOKEN_KEY = 'flowbench.mlflow.token';

/** MLflow's runs where the setting, MLFLOW_TRACKING_URI or the workspace folders say; the token from SecretStorage. */
function mlflowSource(context: vscode.ExtensionContext) {
  return mlflowRuns({
    locations: () => findTrackingLocations({
      explicit: vscode.workspace.getConfiguration('flowbench').get<string>('mlflow.trackingUri'),
      folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    }),
    token: async () => (await context.secrets.get(MLFLOW_TOKEN_KEY)) ?? process.env.MLFLOW_TRACKING_TOKEN,
    tokenHint: 'run "Flowbench: Set MLflow Token" (kept in the editor\'s secret storage)',
    cli: { nodePath: process.execPath, cliPath: context.asAbsolutePath('dist/cli.js'), cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
  });
}

export function registerExperimentsPanel(context: vscode.ExtensionContext, services: Services): void {
  const { flows, runs, log } = services;
  const stateDirs = () => flows.flows().map((entry) => join(dirname(entry.file), '.flowbench'));
  const activeFlow = () => {
    const doc = vscode.window.activeTextEditor?.document;
    return doc?.fileName.endsWith('.flow.yaml') ? flows.get(doc.fileName)?.analysis?.flow.name?.value : undefined;
  };
  const host = new PanelHost(
    context,
    {
      viewType: EXPERIMENTS_VIEW_TYPE,
      title: 'Experiments',
      bundle: 'experiments',
      controller: (post) => {
        const source = workspaceRuns(stateDirs, (message) => log.warn(message));
        const controller = new ExperimentsController(post, withMlflow(source, mlflowSource(context)), runActions(source, services), {
          onError: (what, err) => {
            log.error(`experiments panel: ${what}`, err);
            // What the user asked for (a star, a delete, an action) says so when it fails.
            if (what === RunAction.method || what === SetStarred.method) void vscode.window.showErrorMessage(`Flowbench: ${(err as Error).message}`);
          },
        });
        controller.setActiveFlow(activeFlow());
        return controller;
      },
    },
    log,
  );
  const open = (runId?: unknown) => {
    const controller = host.show();
    const id = typeof runId === 'string' ? runId : (runId as { summary?: RunSummary } | undefined)?.summary?.id;
    if (id) controller.focus(id);
  };
  const onRow = (handle: (controller: ExperimentsController, id: string) => Promise<void>) => (arg: unknown) => {
    const id = contextRunId(arg);
    return id && host.controller ? handle(host.controller, id) : undefined;
  };
  const rowCommands = [
    ...(Object.entries(ROW_ACTION_COMMANDS) as [RowAction, string][]).map(([action, command]) => vscode.commands.registerCommand(command, onRow((c, id) => c.act(id, action)))),
    vscode.commands.registerCommand(TOGGLE_STAR_COMMAND, onRow((c, id) => c.toggleStar(id))),
  ];
  const watcher = vscode.workspace.createFileSystemWatcher('**/.flowbench/runs/**');
  const reload = () => host.controller?.reload();
  context.subscriptions.push(
    host,
    watcher,
    watcher.onDidChange(reload),
    watcher.onDidCreate(reload),
    watcher.onDidDelete(reload),
    // Flows found (or gone) after the panel loaded bring their run stores with them.
    flows.onDidChange(reload),
    runs.onEvent(({ event }) => {
      if (event.type === 'metric') host.controller?.liveMetric(event.runId, event.name, event.value);
      else if (event.type !== 'step-log') reload();
    }),
    vscode.window.onDidChangeActiveTextEditor(() => host.controller?.setActiveFlow(activeFlow())),
    vscode.commands.registerCommand('flowbench.openExperiments', open),
    vscode.commands.registerCommand('flowbench.setMlflowToken', async () => {
      const token = await vscode.window.showInputBox({ prompt: 'Access token for the MLflow tracking server (kept in the editor\'s secret storage; empty removes it)', password: true, ignoreFocusOut: true });
      if (token === undefined) return;
      await (token ? context.secrets.store(MLFLOW_TOKEN_KEY, token) : context.secrets.delete(MLFLOW_TOKEN_KEY));
      reload();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => (e.affectsConfiguration('flowbench.mlflow') ? reload() : undefined)),
    ...rowCommands,
    vscode.window.registerUriHandler({
      handleUri(uri) {
        if (uri.path !== '/experiments') return;
        open(new URLSearchParams(uri.query).get('run') ?? undefined);
      },
    }),
  );
  context.environmentVariableCollection.replace(OPEN_URI_VARIABLE, `${vscode.env.uriScheme}://${context.extension.id}/experiments`);
}
