// The one way the extension host runs the Flowbench CLI: for runs and sweeps, deploys, a model card, a SQL
// preview, an apply. Plain Node (VS Code's own binary with ELECTRON_RUN_AS_NODE), so native modules and
// warehouse drivers load in the child, never in the host. The child leads its own process group, so a stop
// reaches what it started: stop() sends SIGINT (the CLI cancels its steps or its deploy and records it),
// and after a grace period the CLI's group and every group below it (its steps') are killed, which the CLI
// may be too wedged to do. A deadline ends it the same way, without the grace.
// No `vscode` import: tested against the real CLI outside the editor.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { descendantGroups, signalGroup } from '../core/engine/process-tree';

/**
 * How long the CLI gets to abort its steps after SIGINT (it sends them TERM, and KILL after 1 s) before its
 * tree is killed: everything is gone within 2 s of Stop either way.
 */
export const STOP_GRACE_MS = 1500;

export interface CliProcessOptions {
  cwd: string;
  /** The child's environment (default: the host's, without colours); ELECTRON_RUN_AS_NODE is added. */
  env?: NodeJS.ProcessEnv;
  /** The node binary; in the extension host, VS Code's own. */
  nodePath?: string;
  /** Each line of stdout as it comes; without it, stdout is collected whole into `end.stdout`. */
  onStdoutLine?(line: string): void;
  onStderrLine?(line: string): void;
  /** How many of stderr's last lines `end.stderrTail` keeps: the error shown when the command fails. */
  tailLines?: number;
  /** After stop()'s SIGINT, how long the CLI gets before its tree is killed. */
  graceMs?: number;
  /** Past this the tree is killed and `end.timedOut` is set. */
  timeoutMs?: number;
  /** Aborting it is stop(). */
  signal?: AbortSignal;
}

export interface CliProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Empty when `onStdoutLine` took the lines. */
  stdout: string;
  stderrTail: string;
  /** stop() was called (or the abort signal fired) before it ended. */
  stopped: boolean;
  timedOut: boolean;
}

export class CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliProcessEnd>;
  private stopped = false;
  private timedOut = false;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];

  constructor(cliPath: string, args: readonly string[], private readonly options: CliProcessOptions) {
    this.child = spawn(options.nodePath ?? process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...(options.env ?? { ...process.env, NO_COLOR: '1' }), ELECTRON_RUN_AS_NODE: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const { onStdoutLine, onStderrLine, tailLines = 20 } = options;
    if (onStdoutLine) createInterface({ input: this.child.stdout! }).on('line', onStdoutLine);
    else this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const tail: string[] = [];
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
      onStderrLine?.(line);
    });
    const stop = () => this.stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.timeoutMs !== undefined) {
      this.timers.push(setTimeout(() => {
        this.timedOut = true;
        this.killTree();
      }, options.timeoutMs));
    }
    this.done = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        for (const timer of this.timers) clearTimeout(timer);
        options.signal?.removeEventListener('abort', stop);
        resolve({ code, signal, stdout, stderrTail: tail.join('\n'), stopped: this.stopped, timedOut: this.timedOut });
      };
      this.child.once('error', (err) => {
        tail.push(`could not start the Flowbench CLI: ${err.message}`);
        finish(null, null);
      });
      this.child.once('close', finish);
    });
    if (options.signal?.aborted) this.stop();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGINT lets the CLI cancel what it started and record it; the tree kill after the grace is the backstop. */
  stop(): void {
    if (this.stopped || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopped = true;
    this.child.kill('SIGINT');
    this.timers.push(setTimeout(() => this.killTree(), this.options.graceMs ?? STOP_GRACE_MS));
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

/** Why a CLI that was killed stopped, in words. */
export function stoppedBy(end: CliProcessEnd): string {
  return end.timedOut ? 'it took too long' : `${end.signal}${end.signal === 'SIGKILL' ? ', killed or out of memory' : ''}`;
}
