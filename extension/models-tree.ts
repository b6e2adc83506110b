// The Models view: flows that declare a `model:`, each with its model versions (one per distinct model
// hash, newest first) from the flow's run store. A version opens its card; "Compare with…" picks another.
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import type { ModelVersion } from '../core/model/card-types';
import { modelVersions } from '../core/model/versions';
import { openRunStore } from '../core/runs/store';
import { formatTime } from '../core/time-text';
import type { FlowWorkspace } from './flow-workspace';
import type { ProcessLog } from './process-log';
import { Refresher } from './refresher';
import type { RunManager } from './run-manager';

export type ModelNode = { kind: 'flow'; flowFile: string; flow: string; modelPath: string } | { kind: 'version'; version: ModelVersion };

export const OPEN_CARD_COMMAND = 'flowbench.openModelCard';

export class ModelsTree implements vscode.TreeDataProvider<ModelNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refresher: Refresher;
  private readonly versions = new Map<string, ModelVersion[]>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly flows: FlowWorkspace,
    runs: RunManager,
    private readonly log: ProcessLog,
  ) {
    this.refresher = new Refresher(async () => {
      this.versions.clear();
      this.changed.fire();
    }, 500, (err) => log.error('listing models failed', err));
    const watcher = vscode.workspace.createFileSystemWatcher('**/.flowbench/runs/*/record.json');
    this.disposables.push(watcher, watcher.onDidCreate(() => this.refresher.request()), watcher.onDidDelete(() => this.refresher.request()), flows.onDidChange(() => this.refresher.request()), runs.onDidEnd(() => this.refresher.request()), this.refresher);
  }

  private flowNodes(): ModelNode[] {
    return this.flows.flows().flatMap((entry) => {
      const flow = entry.analysis?.flow;
      const modelPath = flow?.model?.path?.value;
      return flow?.name && modelPath ? [{ kind: 'flow' as const, flowFile: entry.file, flow: flow.name.value, modelPath }] : [];
    });
  }

  /** The versions of a flow's model, newest first (cached until runs change). */
  async versionsOf(flowFile: string): Promise<ModelVersion[]> {
    const known = this.versions.get(flowFile);
    if (known) return known;
    const node = this.flowNodes().find((n) => n.kind === 'flow' && n.flowFile === flowFile);
    if (!node || node.kind !== 'flow') return [];
    const store = openRunStore(join(dirname(flowFile), '.flowbench'), { warn: (m) => this.log.warn(m) });
    const list = await modelVersions(store, node.flow, dirname(flowFile), node.modelPath);
    this.versions.set(flowFile, list);
    return list;
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (!node) return this.flowNodes();
    if (node.kind === 'flow') return (await this.versionsOf(node.flowFile)).map((version) => ({ kind: 'version', version }));
    return [];
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    if (node.kind === 'flow') {
      const item = new vscode.TreeItem(node.flow, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `model-flow:${node.flowFile}`;
      item.description = node.modelPath;
      item.iconPath = new vscode.ThemeIcon('package');
      item.contextValue = 'modelFlow';
      item.tooltip = node.flowFile;
      return item;
    }
    const v = node.version;
    const item = new vscode.TreeItem(`${v.sha256.slice(0, 12)}`);
    item.id = `model-version:${v.flowFile}:${v.sha256}`;
    const headline = Object.entries(v.metrics).filter(([k]) => /(^|\.)(auc|accuracy|log_loss|loss|rmse|f1)$/.test(k) && !k.startsWith('baseline.')).slice(0, 2);
    item.description = [`run ${v.run}`, formatTime(v.created), ...headline.map(([k, x]) => `${k.replace(/^model\./, '')} ${Number(x.toPrecision(4))}`)].join(' · ');
    item.accessibilityInformation = { label: `model version ${v.sha256.slice(0, 12)}, ${item.description}` };
    item.tooltip = `sha256 ${v.sha256}\n${v.size} bytes, made by run ${v.run}${v.runs > 1 ? ` (and ${v.runs - 1} other runs)` : ''}`;
    item.iconPath = new vscode.ThemeIcon('symbol-class');
    item.contextValue = 'modelVersion';
    item.command = { title: 'Open Model Card', command: OPEN_CARD_COMMAND, arguments: [{ flowFile: v.flowFile, run: v.run }] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
