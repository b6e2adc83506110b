// One `flowbench run ... --events` (or `sweep`) child process (cli-process.ts): builds its command line and
// reads the RunEvent JSON lines it prints. No `vscode` import, so it is tested against the real CLI.
import type { ChildProcess } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import type { RunEvent } from '../core/engine/events';
import { CliProcess } from './cli-process';

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
  private readonly process: CliProcess;
  readonly done: Promise<CliRunEnd>;

  constructor(
    readonly request: RunRequest,
    options: RunOptions,
    cwd: string,
    handlers: CliRunHandlers,
    nodePath?: string,
  ) {
    const [cliPath, ...args] = cliArguments(request, options);
    this.process = new CliProcess(cliPath, args, {
      cwd,
      env: cliEnvironment(options),
      nodePath,
      onStdoutLine: (line) => {
        const event = parseEvent(line);
        if (event) handlers.onEvent(event);
        else if (line.trim()) handlers.onOutput(line, 'stdout');
      },
      onStderrLine: (line) => handlers.onOutput(line, 'stderr'),
    });
    this.done = this.process.done.then((end) => ({ exitCode: end.code, signal: end.signal, stopped: end.stopped, stderrTail: end.stderrTail }));
  }

  get child(): ChildProcess {
    return this.process.child;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  stop(): void {
    this.process.stop();
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
