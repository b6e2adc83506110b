// The Runs view: recent runs of every flow in the workspace, newest first, from each flow's run
// store; refreshed from file watchers on .flowbench/runs and from the live event stream.
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { shownStatus } from '../core/runs/liveness';
import { openRunStore } from '../core/runs/store';
import type { RunSummary } from '../core/runs/types';
import type { FlowWorkspace } from './flow-workspace';
import { formatDuration } from '../core/time-text';
import type { ProcessLog } from './process-log';
import { Refresher } from './refresher';
import type { RunManager } from './run-manager';

const RUNS_SHOWN = 50;
/** A run shown as running is re-checked this often: a writer killed outside the editor writes nothing to watch. */
const LIVENESS_RECHECK_MS = 5_000;

export interface RunNode {
  summary: RunSummary;
  stateDir: string;
}

export class RunsTree implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private runs: RunNode[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly refresher: Refresher;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly flows: FlowWorkspace,
    runManager: RunManager,
    private readonly log: ProcessLog,
  ) {
    this.refresher = new Refresher(() => this.reload(), 400, (err) => log.error('listing runs failed', err));
    const watcher = vscode.workspace.createFileSystemWatcher('**/.flowbench/runs/**');
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.refresher.request()),
      watcher.onDidCreate(() => this.refresher.request()),
      flows.onDidChange(() => this.refresher.request()),
      runManager.onEvent(({ event }) => {
        if (event.type !== 'step-log' && event.type !== 'metric') this.refresher.request();
      }),
      runManager.onDidEnd(() => this.refresher.request()),
    );
  }

  private async reload(): Promise<void> {
    const stateDirs = new Set(this.flows.flows().map((entry) => join(dirname(entry.file), '.flowbench')));
    const all: RunNode[] = [];
    for (const stateDir of stateDirs) {
      const store = openRunStore(stateDir, { warn: (message) => this.log.warn(message) });
      for (const summary of await store.list({ limit: RUNS_SHOWN })) all.push({ summary: { ...summary, status: shownStatus(summary) }, stateDir });
    }
    this.runs = all.sort((a, b) => b.summary.start - a.summary.start).slice(0, RUNS_SHOWN);
    this.changed.fire();
    clearTimeout(this.recheck);
    if (this.runs.some((r) => r.summary.status === 'running')) this.recheck = setTimeout(() => this.refresher.request(), LIVENESS_RECHECK_MS);
  }

  getChildren(node?: RunNode): RunNode[] {
    return node ? [] : this.runs;
  }

  getTreeItem({ summary, stateDir }: RunNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`${summary.flow} ${new Date(summary.start).toLocaleTimeString()}`);
    item.id = `run:${stateDir}:${summary.id}`;
    item.iconPath = runIcon(summary.status);
    const overrides = Object.entries(summary.overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const duration = summary.durationMs !== undefined ? formatDuration(summary.durationMs) : undefined;
    const c = summary.counts;
    const counts = `${c.ran} ran, ${c.cached + c.restored} cached`;
    // The params a run changed say most about it, so they come first.
    item.description = [...overrides, counts, duration].filter(Boolean).join(' · ');
    item.accessibilityInformation = { label: [`run ${summary.id}`, summary.status, counts, ...overrides].join(', ') };
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Run ${summary.id}** — ${summary.status}\n\n`);
    md.appendText(`ran ${c.ran} · cached ${c.cached} · restored ${c.restored} · failed ${c.failed} · skipped ${c.skipped} · cancelled ${c.cancelled}\n\n`);
    if (overrides.length) md.appendText(`params changed: ${overrides.join(', ')}\n\n`);
    const metrics = Object.entries(summary.metrics).slice(0, 10);
    if (metrics.length) md.appendText(`metrics: ${metrics.map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(', ')}\n\n`);
    if (summary.code.commit) md.appendText(`code: ${summary.code.commit.slice(0, 10)}${summary.code.dirty ? ' (dirty)' : ''}\n`);
    item.tooltip = md;
    item.contextValue = 'run';
    item.command = { title: 'Open in Experiments', command: 'flowbench.openExperiments', arguments: [summary.id] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.refresher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function runIcon(status: RunSummary['status']): vscode.ThemeIcon {
  switch (status) {
    case 'running':
      return new vscode.ThemeIcon('loading~spin');
    case 'succeeded':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.warningForeground'));
    case 'interrupted':
      return new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground'));
  }
}
