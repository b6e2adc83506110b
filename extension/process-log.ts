// The "Flowbench" output channel: every process the extension starts, with its command line, exit
// code and duration, plus activation and refresh failures. Written so users can paste it into an issue.
import * as vscode from 'vscode';
import { readSettings } from './settings';

/** Quotes an argument only when a shell would need it, so the logged line can be pasted into a terminal. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
type Level = (typeof LEVELS)[number];

export class ProcessLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Flowbench', { log: true });
  private level: Level = readSettings().logLevel;
  private readonly configListener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('flowbench.logLevel')) this.level = readSettings().logLevel;
  });

  /** The `flowbench.logLevel` setting; `debug` adds every run event and refresh. */
  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) <= LEVELS.indexOf(this.level);
  }

  info(message: string): void {
    if (this.enabled('info')) this.channel.info(message);
  }

  warn(message: string): void {
    if (this.enabled('warn')) this.channel.warn(message);
  }

  error(message: string, err?: unknown): void {
    this.channel.error(err === undefined ? message : `${message}: ${describeError(err)}`);
  }

  /** Written at info level once the setting asks for it, so it shows without also changing VS Code's channel level. */
  debug(message: string): void {
    if (this.enabled('debug')) this.channel.info(`[debug] ${message}`);
  }

  /** Logs a spawn and returns the function to call when the process exits. */
  spawned(command: string, args: string[], cwd: string, pid: number | undefined): (code: number | null, signal: string | null) => void {
    const started = Date.now();
    const line = [command, ...args].map(shellQuote).join(' ');
    this.channel.info(`spawn pid=${pid ?? '?'} cwd=${cwd}: ${line}`);
    return (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const message = `exit pid=${pid ?? '?'} ${how} after ${Date.now() - started} ms`;
      if (code === 0) this.channel.info(message);
      else this.channel.warn(message);
    };
  }

  dispose(): void {
    this.configListener.dispose();
    this.channel.dispose();
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
