// What the user sees while a run goes: a status-bar item, a progress notification with Cancel,
// a notification with "Show log" when a step fails, and a diagnostic where the engine knows the
// file and line of the failure (cleared when the step next starts).
import * as vscode from 'vscode';
import { basename, isAbsolute, resolve } from 'node:path';
import type { RunEvent } from '../core/engine/events';
import { formatDuration } from '../core/time-text';
import { RemoteJobs } from './remote-jobs';
import type { ActiveRun, RunEnded, RunManager } from './run-manager';

export class RunFeedback implements vscode.Disposable {
  private readonly statusBar = vscode.window.createStatusBarItem('flowbench.run', vscode.StatusBarAlignment.Left, 10);
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('flowbench-run');
  /** Diagnostic per (flow, step), so a step's next start clears only its own. */
  private readonly failures = new Map<string, { uri: vscode.Uri; diagnostic: vscode.Diagnostic }>();
  /** The line of a step's stderr that best says what went wrong, for the failure message. */
  private readonly errorLines = new Map<string, string>();
  private readonly progressDone = new Map<ActiveRun, () => void>();
  private readonly progressReport = new Map<ActiveRun, vscode.Progress<{ message?: string }>>();
  private readonly disposables: vscode.Disposable[];
  private readonly remote = new RemoteJobs();

  constructor(private readonly runs: RunManager) {
    this.statusBar.name = 'Flowbench run';
    this.statusBar.command = 'flowbench.stop';
    this.disposables = [
      this.statusBar,
      this.diagnostics,
      runs.onDidStart((run) => this.started(run)),
      runs.onEvent(({ run, event }) => this.event(run, event)),
      runs.onDidEnd((ended) => this.ended(ended)),
    ];
  }

  private started(run: ActiveRun): void {
    void vscode.commands.executeCommand('setContext', 'flowbench.running', true);
    const what = run.request.step ? `${run.request.step}${run.request.scope ? ` (+${run.request.scope})` : ''}` : basename(run.flowFile);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Flowbench: running ${what}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((done) => {
          token.onCancellationRequested(() => run.cli.stop());
          this.progressReport.set(run, progress);
          this.progressDone.set(run, done);
        }),
    );
    this.updateStatusBar();
  }

  private event(run: ActiveRun, event: RunEvent): void {
    if (this.remote.onEvent(event)) this.updateStatusBar();
    if (event.type === 'run-waiting') {
      // Another run (a terminal, another window) holds the folder's .flowbench/: say for whom this one waits.
      const text = `waiting for run ${event.holder.runId}, pid ${event.holder.pid}, to finish`;
      this.progressReport.get(run)?.report({ message: text });
      this.statusBar.tooltip = `Flowbench: ${text} — click to stop`;
    } else if (event.type === 'step-log' && event.stream === 'stderr') {
      this.noteErrorLine(failureKey(run.flowFile, event.step), event.text);
    } else if (event.type === 'step-start') {
      this.errorLines.delete(failureKey(run.flowFile, event.step));
      this.clearFailure(run.flowFile, event.step);
      this.progressReport.get(run)?.report({ message: progressMessage(run) });
      this.updateStatusBar();
    } else if (event.type === 'step-end') {
      this.progressReport.get(run)?.report({ message: progressMessage(run) });
      this.updateStatusBar();
      if (event.outcome === 'failed') this.stepFailed(run, event);
    } else if (event.type === 'run-end' && event.message) {
      // The engine stopped the run itself (a full disk): its steps say only "stopped", this says why.
      void vscode.window.showErrorMessage(`Flowbench: run failed: ${event.message}`, 'Show Process Log').then((pick) => {
        if (pick) void vscode.commands.executeCommand('flowbench.showProcessLog');
      });
    }
  }

  /** Keeps the last line that names an error (`TypeError: ...`, `error: ...`), else the last non-empty line. */
  private noteErrorLine(key: string, text: string): void {
    for (const line of text.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())) {
      const known = this.errorLines.get(key);
      if (line && (isErrorLine(line) || !known || !isErrorLine(known))) this.errorLines.set(key, line);
    }
  }

  private stepFailed(run: ActiveRun, event: Extract<RunEvent, { type: 'step-end' }>): void {
    const cause = this.errorLines.get(failureKey(run.flowFile, event.step));
    const detail = [event.message, cause].filter(Boolean).join(': ');
    const message = `Flowbench: step ${event.step} failed${detail ? `: ${detail}` : ''}`;
    if (event.location) {
      const file = isAbsolute(event.location.file) ? event.location.file : resolve(run.flowFile, '..', event.location.file);
      const line = Math.max(0, event.location.line - 1);
      const column = Math.max(0, (event.location.column ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER), message.replace(/^Flowbench: /, ''), vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'flowbench run';
      this.failures.set(failureKey(run.flowFile, event.step), { uri: vscode.Uri.file(file), diagnostic });
      this.publishDiagnostics();
    }
    const actions = event.location ? ['Show Log', 'Go to Error'] : ['Show Log'];
    void vscode.window.showErrorMessage(message, ...actions).then((pick) => {
      if (pick === 'Show Log') void vscode.commands.executeCommand('flowbench.showStepLog', run.flowFile, event.step);
      const failure = this.failures.get(failureKey(run.flowFile, event.step));
      if (pick === 'Go to Error' && failure) void vscode.window.showTextDocument(failure.uri, { selection: failure.diagnostic.range });
    });
  }

  private ended({ run, end }: RunEnded): void {
    if (run.runId) this.remote.forgetRun(run.runId);
    this.progressDone.get(run)?.();
    this.progressDone.delete(run);
    this.progressReport.delete(run);
    void vscode.commands.executeCommand('setContext', 'flowbench.running', this.runs.activeRuns().length > 0);
    this.updateStatusBar();
    // The CLI exits 0 or with a step failure once it ran; anything else before a run-start is a CLI problem worth showing.
    if (!run.runId && !end.stopped) {
      const detail = end.stderrTail.trim().split('\n').slice(-3).join(' ') || `exit code ${end.exitCode}`;
      void vscode.window.showErrorMessage(`Flowbench could not start the run: ${detail}`, 'Show Process Log').then((pick) => {
        if (pick) void vscode.commands.executeCommand('flowbench.showProcessLog');
      });
    }
  }

  private updateStatusBar(): void {
    const active = this.runs.activeRuns();
    if (active.length === 0) {
      this.statusBar.hide();
      return;
    }
    const run = active[0]!;
    const { done, total } = run.counts();
    this.statusBar.text = `$(loading~spin) Flowbench ${done}/${total || '?'}${this.remote.label()}`;
    this.statusBar.tooltip = [`${progressMessage(run)} · ${formatDuration(Date.now() - run.startedAt)} so far — click to stop`, this.remote.tooltip()].filter(Boolean).join('\n');
    this.statusBar.show();
  }

  private clearFailure(flowFile: string, step: string): void {
    if (this.failures.delete(failureKey(flowFile, step))) this.publishDiagnostics();
  }

  private publishDiagnostics(): void {
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const { uri, diagnostic } of this.failures.values()) {
      const entry = byFile.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(diagnostic);
      byFile.set(uri.toString(), entry);
    }
    this.diagnostics.clear();
    for (const { uri, list } of byFile.values()) this.diagnostics.set(uri, list);
  }

  dispose(): void {
    for (const done of this.progressDone.values()) done();
    for (const d of this.disposables) d.dispose();
  }
}

function isErrorLine(line: string): boolean {
  return /\b\w*(Error|Exception)\b|^error\b/i.test(line);
}

function failureKey(flowFile: string, step: string): string {
  return `${flowFile}\u0000${step}`;
}

function progressMessage(run: ActiveRun): string {
  const { done, total, running } = run.counts();
  return `${done}/${total} steps${running.length ? ` · ${running.join(', ')}` : ''}`;
}
