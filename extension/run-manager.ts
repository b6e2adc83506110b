// Owns the CLI runs started from the editor: one at a time per flow file, the live state of each
// step from the event stream, and the last outcome of each step once a run is over (so a cancelled
// or failed step keeps saying so instead of falling back to whatever the disk status says).
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { RunEvent } from '../core/engine/events';
import { CliRun, type CliRunEnd, type RunRequest } from './cli-run';
import type { ProcessLog } from './process-log';
import { readSettings } from './settings';
import type { LiveStep } from './step-state';

export class ActiveRun {
  runId: string | undefined;
  readonly steps = new Map<string, LiveStep>();
  readonly startedAt = Date.now();

  constructor(
    readonly request: RunRequest,
    readonly cli: CliRun,
  ) {}

  get flowFile(): string {
    return this.request.flowFile;
  }

  counts(): { done: number; total: number; running: string[] } {
    let done = 0;
    const running: string[] = [];
    for (const [name, step] of this.steps) {
      if (step.state === 'running') running.push(name);
      else if (step.state !== 'queued') done++;
    }
    return { done, total: this.steps.size, running };
  }
}

export interface RunEnded {
  run: ActiveRun;
  end: CliRunEnd;
}

export class RunManager implements vscode.Disposable {
  private readonly active = new Map<string, ActiveRun>();
  private readonly lastOutcomes = new Map<string, Map<string, LiveStep>>();
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly started = new vscode.EventEmitter<ActiveRun>();
  private readonly events = new vscode.EventEmitter<{ run: ActiveRun; event: RunEvent }>();
  private readonly ended = new vscode.EventEmitter<RunEnded>();
  /** Fires with the flow file whose step states changed. */
  readonly onDidChange = this.changed.event;
  readonly onDidStart = this.started.event;
  readonly onEvent = this.events.event;
  readonly onDidEnd = this.ended.event;

  constructor(
    private readonly cliPath: string,
    private readonly log: ProcessLog,
    /** Credentials from SecretStorage for the CLI child (see snowflake-secret.ts). */
    private readonly secretEnv: () => Record<string, string> = () => ({}),
  ) {}

  /** Starts a run, or explains why not (untrusted workspace, a run of that flow already going). */
  start(request: RunRequest): ActiveRun | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'Flowbench runs no steps in an untrusted workspace; flow files are still checked. Trust the workspace to run steps.',
        'Manage Workspace Trust',
      ).then((pick) => pick && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    const existing = this.active.get(request.flowFile);
    if (existing) {
      void vscode.window.showInformationMessage(`A run of ${existing.request.flowFile} is in progress.`, 'Stop it').then((pick) => {
        if (pick) existing.cli.stop();
      });
      return undefined;
    }
    const settings = readSettings(vscode.Uri.file(request.flowFile));
    let run: ActiveRun | undefined;
    const cwd = dirname(request.flowFile);
    const cli = new CliRun(
      request,
      { cliPath: this.cliPath, jobs: settings.jobs, pythonPath: settings.pythonPath, secretEnv: this.secretEnv() },
      cwd,
      {
        onEvent: (event) => run && this.apply(run, event),
        // With --events the CLI's human-readable progress goes to stderr; it belongs in the process log.
        onOutput: (line) => this.log.info(`cli: ${line}`),
      },
    );
    run = new ActiveRun(request, cli);
    const exited = this.log.spawned(process.execPath, cli.child.spawnargs.slice(1), cwd, cli.pid);
    this.active.set(request.flowFile, run);
    this.started.fire(run);
    this.changed.fire(request.flowFile);
    void cli.done.then((end) => {
      exited(end.exitCode, end.signal);
      this.finish(run!, end);
    });
    return run;
  }

  activeRun(flowFile: string): ActiveRun | undefined {
    return this.active.get(flowFile);
  }

  activeRuns(): ActiveRun[] {
    return [...this.active.values()];
  }

  /** Live state while a run of the flow is going, else the outcome of the step's last run this session. */
  stepState(flowFile: string, step: string): LiveStep | undefined {
    return this.active.get(flowFile)?.steps.get(step) ?? this.lastOutcomes.get(flowFile)?.get(step);
  }

  stop(flowFile?: string): void {
    for (const run of this.active.values()) if (!flowFile || run.flowFile === flowFile) run.cli.stop();
  }

  private apply(run: ActiveRun, event: RunEvent): void {
    if (this.log.enabled('debug') && event.type !== 'step-log') this.log.debug(`event ${JSON.stringify(event)}`);
    switch (event.type) {
      case 'run-start':
        run.runId = event.runId;
        for (const step of event.steps) run.steps.set(step, { state: 'queued' });
        break;
      case 'step-start':
        run.steps.set(event.step, { state: 'running', reasons: event.reasons });
        break;
      case 'step-end':
        run.steps.set(event.step, {
          state: event.outcome,
          reasons: run.steps.get(event.step)?.reasons,
          durationMs: event.durationMs,
          message: event.message,
          location: event.location,
        });
        break;
      default:
        break;
    }
    this.events.fire({ run, event });
    if (event.type !== 'step-log' && event.type !== 'metric') this.changed.fire(run.flowFile);
  }

  private finish(run: ActiveRun, end: CliRunEnd): void {
    const outcomes = this.lastOutcomes.get(run.flowFile) ?? new Map<string, LiveStep>();
    for (const [name, step] of run.steps) {
      if (step.state === 'queued' && !end.stopped) continue; // never started: the disk status still holds
      // A step the CLI could not report on (stopped, or the CLI died) must never look up to date.
      const state = step.state === 'running' || step.state === 'queued' ? (end.stopped ? 'cancelled' : 'failed') : step.state;
      outcomes.set(name, { ...step, state });
    }
    this.lastOutcomes.set(run.flowFile, outcomes);
    this.active.delete(run.flowFile);
    this.ended.fire({ run, end });
    this.changed.fire(run.flowFile);
  }

  dispose(): void {
    // SIGINT: the CLI cancels its steps' process groups and records the run, even if this host is gone by then.
    for (const run of this.active.values()) run.cli.stop();
    this.changed.dispose();
    this.started.dispose();
    this.events.dispose();
    this.ended.dispose();
  }
}
