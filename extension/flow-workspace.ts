// The flows of the workspace as the views see them: each flow file's analysis (from core, so a broken
// file still yields a partial model plus problems) and each step's status (fingerprint check, from
// core). Reloads are driven by file watchers, debounced, one at a time (see Refresher).
import * as vscode from 'vscode';
import { resolve, sep } from 'node:path';
import { loadFlow, type FlowAnalysis } from '../core/flow/analyze';
import { flowStatus, type StepStatusState } from '../core/engine/status';
import { isWithin } from '../core/flow/graph';
import { describeError, type ProcessLog } from './process-log';
import { Refresher } from './refresher';

export const FLOW_GLOB = '**/*.flow.yaml';
const EXCLUDE_GLOB = '**/{node_modules,.git,.flowbench}/**';

/** `invalid`: the flow's problems keep the step from running. */
export type StepStatusKind = StepStatusState;

export interface StepStatusView {
  kind: StepStatusKind;
  reasons: string[];
  /** Duration of the last successful run. */
  durationMs?: number;
}

export interface FlowEntry {
  file: string;
  /** Absent only if analysis itself crashed (a core bug); `error` then says why. */
  analysis?: FlowAnalysis;
  status: Map<string, StepStatusView>;
  error?: string;
}

export class FlowWorkspace implements vscode.Disposable {
  private entries = new Map<string, FlowEntry>();
  /** Files whose change can change a step's status: deps, SQL files, sources (absolute). */
  private watched: string[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChange = this.changed.event;
  readonly refresher: Refresher;

  constructor(private readonly log: ProcessLog) {
    this.refresher = new Refresher(() => this.reload(), 300, (err) => log.error('refreshing flows failed', err));
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const onFile = (uri: vscode.Uri) => {
      if (this.affectsStatus(uri.fsPath)) this.refresher.request();
    };
    this.disposables.push(watcher, watcher.onDidChange(onFile), watcher.onDidCreate(onFile), watcher.onDidDelete(onFile), this.changed);
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresher.request()));
  }

  flows(): FlowEntry[] {
    return [...this.entries.values()].sort((a, b) => a.file.localeCompare(b.file));
  }

  get(file: string): FlowEntry | undefined {
    return this.entries.get(file);
  }

  private affectsStatus(path: string): boolean {
    if (path.endsWith('.flow.yaml')) return true;
    const marker = `${sep}.flowbench${sep}`;
    const at = path.indexOf(marker);
    if (at >= 0) return path.startsWith(`${marker}state${sep}`, at);
    return this.watched.some((dep) => isWithin(path, dep));
  }

  private async reload(): Promise<void> {
    const started = Date.now();
    const uris = await vscode.workspace.findFiles(FLOW_GLOB, EXCLUDE_GLOB);
    const next = new Map<string, FlowEntry>();
    const watched = new Set<string>();
    for (const uri of uris) {
      const entry = await analyzeEntry(uri.fsPath, this.log);
      next.set(entry.file, entry);
      for (const path of inputsOf(entry.analysis)) watched.add(path);
    }
    this.entries = next;
    this.watched = [...watched];
    this.log.debug(`refreshed ${next.size} flow(s) in ${Date.now() - started} ms`);
    void vscode.commands.executeCommand('setContext', 'flowbench.hasFlows', next.size > 0);
    this.changed.fire();
  }

  dispose(): void {
    this.refresher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Never throws: whatever goes wrong becomes part of the entry, so one bad flow cannot break the view. */
async function analyzeEntry(file: string, log: ProcessLog): Promise<FlowEntry> {
  try {
    const { analysis, steps } = await flowStatus(file);
    const status = new Map<string, StepStatusView>();
    for (const s of steps.values()) status.set(s.step, { kind: s.state, reasons: s.reasons, durationMs: s.last?.durationMs });
    return { file, analysis, status };
  } catch (err) {
    log.warn(`status of ${file} unavailable: ${describeError(err)}`);
  }
  try {
    return { file, analysis: loadFlow(file), status: new Map() };
  } catch (err) {
    const error = `could not analyse ${file}: ${describeError(err)}`;
    log.error(error);
    return { file, status: new Map(), error };
  }
}

function inputsOf(analysis: FlowAnalysis | undefined): string[] {
  if (!analysis) return [];
  const { flow } = analysis;
  const paths = [...analysis.sql.values()].map((info) => info.file);
  for (const step of flow.steps.values()) for (const dep of step.deps) paths.push(resolve(flow.root, dep.value));
  for (const source of flow.sources.values())
    for (const table of source.tables.values()) if (table.path) paths.push(resolve(flow.root, table.path.value));
  return paths;
}
