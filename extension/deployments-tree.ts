// The Deployments view: every project's `.flowbench/deployments/*.json` with its live status (records.ts:
// a dead local process reads as stopped), URL, model version, uptime and request count. Refreshed when
// the records or request logs change (debounced, single-flight) and while something runs, for the uptime.
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { deploymentDir, listDeployments } from '../core/deploy/records';
import { RequestLogTail } from '../core/deploy/monitor';
import type { DeploymentRecord } from '../core/deploy/types';
import { formatTime } from '../core/time-text';
import type { FlowWorkspace } from './flow-workspace';
import type { ProcessLog } from './process-log';
import { Refresher } from './refresher';

export interface DeploymentNode {
  projectDir: string;
  record: DeploymentRecord;
  requests: number;
}

/** Uptime moves while an endpoint runs; the view re-reads this often then (and not at all otherwise). */
const LIVE_TICK_MS = 5_000;

/**
 * In minutes, not seconds: VS Code re-renders a row whose item changed, inline actions included, and a click
 * that lands while they are rebuilt is lost; a row that changed every few seconds would eat clicks.
 */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return '<1m';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** What the row says after the name. */
export function describeDeployment(node: DeploymentNode, now = Date.now()): string {
  const r = node.record;
  const parts: string[] = [r.status];
  if (r.url) parts.push(r.url);
  parts.push(`model ${r.modelSha256.slice(0, 12)}`);
  if (r.status === 'running') parts.push(`up ${formatUptime(now - Date.parse(r.updatedAt))}`);
  if (r.target === 'local') parts.push(`${node.requests} request${node.requests === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

export class DeploymentsTree implements vscode.TreeDataProvider<DeploymentNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refresher: Refresher;
  private nodes: DeploymentNode[] = [];
  private shown: string | undefined;
  private readonly counts = new Map<string, { tail: RequestLogTail; n: number }>();
  private tick: ReturnType<typeof setInterval> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly flows: FlowWorkspace, log: ProcessLog) {
    this.refresher = new Refresher(() => this.reload(), 300, (err) => log.error('listing deployments failed', err));
    const watcher = vscode.workspace.createFileSystemWatcher('**/.flowbench/deployments/**');
    const request = () => this.refresher.request();
    this.disposables.push(watcher, watcher.onDidCreate(request), watcher.onDidChange(request), watcher.onDidDelete(request), flows.onDidChange(request), this.refresher);
    request();
  }

  /** Re-reads now; resolves when the view has the result (after a deploy or stop). */
  refresh(): Promise<void> {
    return this.refresher.flush();
  }

  all(): DeploymentNode[] {
    return this.nodes;
  }

  private projects(): string[] {
    return [...new Set(this.flows.flows().map((f) => dirname(f.file)))].sort();
  }

  private async reload(): Promise<void> {
    const nodes: DeploymentNode[] = [];
    for (const projectDir of this.projects()) {
      const stateDir = join(projectDir, '.flowbench');
      for (const record of await listDeployments(stateDir)) nodes.push({ projectDir, record, requests: await this.requestCount(stateDir, record.name) });
    }
    // Unchanged rows are not re-rendered (see formatUptime): the view is told only when what it shows changed.
    const shown = nodes.map((n) => JSON.stringify(this.getTreeItem(n))).join('\n');
    const changed = shown !== this.shown;
    this.shown = shown;
    this.nodes = nodes;
    const live = nodes.some((n) => n.record.status === 'running' || n.record.status === 'starting' || n.record.status === 'updating');
    if (live && !this.tick) this.tick = setInterval(() => this.refresher.request(), LIVE_TICK_MS);
    if (!live && this.tick) {
      clearInterval(this.tick);
      this.tick = undefined;
    }
    if (changed) this.changed.fire();
  }

  /** Counted incrementally: each refresh reads only what the log gained. */
  private async requestCount(stateDir: string, name: string): Promise<number> {
    const dir = deploymentDir(stateDir, name);
    let entry = this.counts.get(dir);
    if (!entry) this.counts.set(dir, (entry = { tail: new RequestLogTail(dir), n: 0 }));
    entry.n += (await entry.tail.read()).length;
    return entry.n;
  }

  getChildren(node?: DeploymentNode): DeploymentNode[] {
    return node ? [] : this.nodes;
  }

  getTreeItem(node: DeploymentNode): vscode.TreeItem {
    const r = node.record;
    const item = new vscode.TreeItem(r.name);
    item.id = `deployment:${node.projectDir}:${r.name}`;
    item.description = describeDeployment(node);
    item.iconPath = new vscode.ThemeIcon(r.status === 'running' ? 'pass-filled' : r.status === 'failed' ? 'error' : r.status === 'stopped' ? 'circle-slash' : 'loading~spin');
    const live = r.status === 'running' || r.status === 'starting' || r.status === 'updating';
    item.contextValue = `deployment.${live ? 'live' : 'down'}.${r.target}`;
    item.tooltip = [`${r.name} (${r.target}): ${r.status}`, r.url, `flow ${r.flow}, model ${r.model}`, `sha256 ${r.modelSha256}`, `run ${r.runId}`, `deployed ${formatTime(Date.parse(r.createdAt))}`, r.failureReason].filter(Boolean).join('\n');
    item.accessibilityInformation = { label: `deployment ${r.name}, ${item.description}` };
    return item;
  }

  dispose(): void {
    if (this.tick) clearInterval(this.tick);
    for (const d of this.disposables) d.dispose();
  }
}
