// The model card panel's VS Code side and the Models view: opening a card from the view, from a run in the
// experiments panel (row action), from the code lens on a flow's `model:` block, and comparing two
// versions. Cards are built by the CLI (card-loader.ts), never in this process.
import * as vscode from 'vscode';
import { formatTime } from '../../core/time-text';
import type { FlowWorkspace } from '../flow-workspace';
import { ModelsTree, OPEN_CARD_COMMAND, type ModelNode } from '../models-tree';
import type { ProcessLog } from '../process-log';
import type { RunManager } from '../run-manager';
import { findRun } from '../run-lookup';
import { DEPLOY_MODEL_COMMAND } from '../../core/analysis/outline';
import type { CardTarget } from '../../webviews/model-card/contract';
import { loadCardFromCli } from './card-loader';
import { ModelCardController } from './model-card-controller';
import { PanelHost } from './panel-host';
import { contextRunId, OPEN_MODEL_CARD_ROW_COMMAND } from './row-commands';

export const CARD_VIEW_TYPE = 'flowbench.modelCard';
export const COMPARE_VERSIONS_COMMAND = 'flowbench.compareModelVersions';

interface Services {
  flows: FlowWorkspace;
  runs: RunManager;
  log: ProcessLog;
}

export function registerModelCardPanel(context: vscode.ExtensionContext, { flows, runs, log }: Services): void {
  const cli = context.asAbsolutePath('dist/cli.js');
  const models = new ModelsTree(flows, runs, log);
  const host = new PanelHost(context, {
    viewType: CARD_VIEW_TYPE,
    title: 'Model Card',
    bundle: 'card',
    controller: (post) => new ModelCardController(post, {
      load: (flowFile, run) => loadCardFromCli(cli, flowFile, run),
      async save(card, format) {
        // The exporters (and the yaml package under them) load on the first export, not on activation.
        const { exportFileName, renderCard } = await import('../../core/model/export');
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const name = exportFileName(card, format);
        const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, saveLabel: 'Export' });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renderCard(card, format)));
        vscode.window.setStatusBarMessage(`Exported the model card to ${vscode.workspace.asRelativePath(target)}`, 5000);
      },
      deploy: async (target) => void (await vscode.commands.executeCommand(DEPLOY_MODEL_COMMAND, target)),
    }, (what, err) => log.error(`model card panel: ${what}`, err)),
  }, log);

  const show = (target: CardTarget) => host.show().show(target);
  const flowOf = (arg: unknown): string | undefined => {
    if (typeof arg === 'string') return arg;
    if (arg instanceof vscode.Uri) return arg.fsPath;
    const doc = vscode.window.activeTextEditor?.document;
    return doc?.fileName.endsWith('.flow.yaml') ? doc.fileName : flows.flows().find((f) => f.analysis?.flow.model)?.file;
  };
  const open = async (arg?: unknown) => {
    const given = arg as Partial<CardTarget> | undefined;
    if (given && typeof given === 'object' && typeof given.flowFile === 'string' && typeof given.run === 'string') return show({ flowFile: given.flowFile, run: given.run });
    const flowFile = flowOf(typeof given?.flowFile === 'string' ? given.flowFile : arg);
    if (!flowFile) return void vscode.window.showInformationMessage('Flowbench: no flow with a `model:` is open.');
    const newest = (await models.versionsOf(flowFile))[0];
    if (!newest) return void vscode.window.showInformationMessage('Flowbench: this flow has no run that produced its model yet. Run the flow first.');
    return show({ flowFile, run: newest.run });
  };
  const compare = async (node?: ModelNode) => {
    if (node?.kind !== 'version') return;
    const others = (await models.versionsOf(node.version.flowFile)).filter((v) => v.sha256 !== node.version.sha256);
    if (others.length === 0) return void vscode.window.showInformationMessage('Flowbench: this flow has only one model version.');
    const pick = await vscode.window.showQuickPick(
      others.map((v) => ({ label: v.sha256.slice(0, 12), description: `run ${v.run} · ${formatTime(v.created)}`, v })),
      { placeHolder: `Compare model ${node.version.sha256.slice(0, 12)} with…` },
    );
    if (!pick) return;
    const [older, newer] = pick.v.created < node.version.created ? [pick.v, node.version] : [node.version, pick.v];
    return show({ flowFile: newer.flowFile, run: newer.run, compare: older.run });
  };
  /** The experiments panel knows a run by id: find the flow whose store has it. */
  const openRun = async (arg: unknown) => {
    const id = contextRunId(arg);
    if (!id) return;
    const found = await findRun(flows, id, (m) => log.warn(m));
    if (found) return show(found);
    void vscode.window.showInformationMessage(`Flowbench: run ${id} was not found in any flow's run store.`);
  };
  context.subscriptions.push(
    host,
    models,
    vscode.window.createTreeView('flowbench.models', { treeDataProvider: models }),
    vscode.commands.registerCommand(OPEN_CARD_COMMAND, open),
    vscode.commands.registerCommand(COMPARE_VERSIONS_COMMAND, compare),
    vscode.commands.registerCommand(OPEN_MODEL_CARD_ROW_COMMAND, openRun),
    // A finished run may change the shown card's previous-model comparison or its checks.
    runs.onDidEnd(() => {
      const target = host.controller?.current;
      if (target) void host.controller!.show(target);
    }),
  );
}
