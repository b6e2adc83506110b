// The first-run commands: "Create Example Project" (the example built into dist/example, written into a folder
// the user picks, then opened with the Pipelines view focused), "New Flow" (a wired SQL + command flow in the
// current folder) and "Install CLI in PATH". The file work is in scaffold.ts and cli-launcher.ts.
import * as vscode from 'vscode';
import { isAbsolute, join, relative } from 'node:path';
import { installLauncher, refreshLauncher } from './cli-launcher';
import type { FlowWorkspace } from './flow-workspace';
import type { ProcessLog } from './process-log';
import { createExampleProject, EXAMPLE_FLOW, flowNameProblem, newFlowFiles, writeNewFiles } from './scaffold';

/** Set before a folder is opened (which restarts the extension host); the next activation focuses the tree. */
const FOCUS_AFTER_OPEN = 'flowbench.focusPipelinesIn';

function insideWorkspace(folder: string): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((wf) => {
    const rel = relative(wf.uri.fsPath, folder);
    return !rel.startsWith('..') && !isAbsolute(rel);
  });
}

async function showPipelines(flowFile: string, flows: FlowWorkspace): Promise<void> {
  await flows.refresher.flush();
  await vscode.window.showTextDocument(vscode.Uri.file(flowFile), { preview: false });
  await vscode.commands.executeCommand('flowbench.pipelines.focus');
}

export function registerProjectCommands(context: vscode.ExtensionContext, flows: FlowWorkspace, log: ProcessLog): void {
  async function createExample(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: 'Create Example Here',
      title: 'Flowbench: folder for the example project (an empty one)',
    });
    const folder = picked?.[0]?.fsPath;
    if (!folder) return;
    let flowFile: string;
    try {
      flowFile = createExampleProject(context.asAbsolutePath('dist/example'), folder);
    } catch (err) {
      void vscode.window.showErrorMessage(`Flowbench: the example project was not created: ${(err as Error).message}.`);
      return;
    }
    log.info(`example project written to ${folder}`);
    if (insideWorkspace(folder)) return showPipelines(flowFile, flows);
    await context.globalState.update(FOCUS_AFTER_OPEN, folder);
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(folder));
  }

  async function newFlow(target?: unknown): Promise<void> {
    const folder = target instanceof vscode.Uri ? target : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new flow' }))?.uri;
    if (!folder) {
      if (!vscode.workspace.workspaceFolders?.length) void vscode.window.showInformationMessage('Flowbench: open a folder first; the new flow is written into it.');
      return;
    }
    const name = await vscode.window.showInputBox({ prompt: 'Name of the new flow (also its file name)', value: 'pipeline', validateInput: flowNameProblem });
    if (!name) return;
    try {
      const [flowFile] = writeNewFiles(folder.fsPath, newFlowFiles(name));
      await showPipelines(flowFile!, flows);
    } catch (err) {
      void vscode.window.showErrorMessage(`Flowbench: the flow was not created: ${(err as Error).message}.`);
    }
  }

  const launcher = { nodePath: process.execPath, cliPath: context.asAbsolutePath('dist/cli.js') };
  async function installCli(): Promise<void> {
    try {
      const result = installLauncher(launcher);
      log.info(`CLI launcher written to ${result.file}`);
      const done = `Flowbench: installed \`flowbench\` as ${result.file}; it runs this extension's CLI (\`flowbench --version\`: ${context.extension.packageJSON.version}).`;
      void vscode.window.showInformationMessage(result.onPath ? done : `${done} Its folder is not on PATH: add \`${result.pathHint}\` to your shell profile (~/.profile or ~/.zshrc), then open a new terminal.`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Flowbench: the CLI was not installed: ${(err as Error).message}`);
    }
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('flowbench.createExampleProject', createExample),
    vscode.commands.registerCommand('flowbench.newFlow', newFlow),
    vscode.commands.registerCommand('flowbench.installCli', installCli),
  );

  // After an update the launcher would still name the old, removed copy of the extension.
  setImmediate(() => {
    try {
      if (refreshLauncher(launcher) === 'updated') log.info(`CLI launcher now runs ${launcher.cliPath}`);
    } catch (err) {
      log.warn(`the CLI launcher could not be pointed at this version: ${(err as Error).message}`);
    }
  });

  // The example project was just opened: show its flow and the tree.
  const pending = context.globalState.get<string>(FOCUS_AFTER_OPEN);
  if (pending && insideWorkspace(pending)) {
    void context.globalState.update(FOCUS_AFTER_OPEN, undefined);
    void showPipelines(join(pending, EXAMPLE_FLOW), flows).catch((err) => log.error('showing the example project failed', err));
  }
}
