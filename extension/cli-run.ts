// One `flowbench run ... --events` child process: builds its command line, reads the RunEvent JSON
// lines it prints, and stops it the way the CLI expects (SIGINT, then SIGKILL of its process group and of
// every group below it: the steps', which the CLI may be too wedged to end).
// No `vscode` import, so it is tested against the real CLI outside the editor.
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunEvent } from '../core/engine/events';
import { descendantGroups, signalGroup } from '../core/engine/process-tree';

export interface RunRequest {
  flowFile: string;
  /** Absent: the whole flow. */
  step?: string;
  /** With `step`: also run everything upstream (or downstream) of it. */
  scope?: 'upstream' | 'downstream';
  force?: boolean;
  /** `--set name=value` overrides. */
  overrides?: Record<string, string>;
  /** A sweep instead of a run: the arguments after `flowbench sweep` (see extension/sweep-args.ts). */
  sweep?: string[];
}

export interface RunOptions {
  /** Absolute path of dist/cli.js. */
  cliPath: string;
  jobs?: number;
  pythonPath?: string;
  /** Credentials the editor keeps in SecretStorage (e.g. SNOWFLAKE_PASSWORD): the child's environment only. */
  secretEnv?: Record<string, string>;
}

export interface CliRunEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stopped: boolean;
  /** Last lines of stderr, for the error message when the CLI fails before any step ran. */
  stderrTail: string;
}

/**
 * How long the CLI gets to abort its steps after SIGINT (it sends them TERM, and KILL after 1 s) before
 * its tree is killed here: everything is gone within 2 s of Stop either way.
 */
export const STOP_GRACE_MS = 1500;

export function cliArguments(request: RunRequest, options: RunOptions): string[] {
  if (request.sweep) return [options.cliPath, 'sweep', ...request.sweep, request.flowFile, '--events'];
  const args = [options.cliPath, 'run', request.flowFile];
  if (request.step) args.push('--step', request.step);
  if (request.step && request.scope) args.push(`--${request.scope}`);
  for (const [name, value] of Object.entries(request.overrides ?? {})) args.push('--set', `${name}=${value}`);
  if (request.force) args.push('--force');
  if (options.jobs) args.push('-j', String(options.jobs));
  args.push('--events');
  return args;
}

export function cliEnvironment(options: RunOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...options.secretEnv, ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '1' };
  if (options.pythonPath) env.PATH = [dirname(options.pythonPath), base.PATH].filter(Boolean).join(delimiter);
  return env;
}

export interface CliRunHandlers {
  onEvent(event: RunEvent): void;
  /** Lines that are not events (the CLI's own messages) and stderr. */
  onOutput(line: string, stream: 'stdout' | 'stderr'): void;
}

export class CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<CliRunEnd>;
  private stopped = false;
  private killTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly request: RunRequest,
    options: RunOptions,
    cwd: string,
    handlers: CliRunHandlers,
    /** The node binary; in the extension host this is VS Code's own, run as plain Node. */
    nodePath: string = process.execPath,
  ) {
    // Its own process group, so Stop can kill the CLI and anything it left behind in one signal.
    this.child = spawn(nodePath, cliArguments(request, options), {
      cwd,
      env: cliEnvironment(options),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderrLines: string[] = [];
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const event = parseEvent(line);
      if (event) handlers.onEvent(event);
      else if (line.trim()) handlers.onOutput(line, 'stdout');
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      stderrLines.push(line);
      if (stderrLines.length > 20) stderrLines.shift();
      handlers.onOutput(line, 'stderr');
    });
    this.done = new Promise((resolve) => {
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ exitCode, signal, stopped: this.stopped, stderrTail: stderrLines.join('\n') });
      };
      this.child.once('error', (err) => {
        stderrLines.push(err.message);
        finish(null, null);
      });
      this.child.once('close', finish);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGINT lets the CLI cancel its steps and record the run; the group kill is the backstop. */
  stop(): void {
    if (this.stopped || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopped = true;
    this.child.kill('SIGINT');
    this.killTimer = setTimeout(() => this.killTree(), STOP_GRACE_MS);
  }

  private killTree(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    // Stop the CLI first so it starts nothing more, then its steps' groups (and its reaper's).
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      // Already gone; its steps may not be.
    }
    for (const group of [pid, ...descendantGroups(pid)]) signalGroup(group, 'SIGKILL');
  }
}

export function parseEvent(line: string): RunEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return typeof value.type === 'string' && 'runId' in value ? (value as RunEvent) : undefined;
  } catch {
    return undefined;
  }
}
