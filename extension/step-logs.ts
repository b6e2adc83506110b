// Each step's output in a terminal tab, colours kept: the step-log events of the latest run are kept
// per step (bounded), and "Show log" opens a pseudo-terminal that replays them and then follows live.
// A step that has not run in this session is read from the engine's log file of its latest run.
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunEvent } from '../core/engine/events';

const MAX_BUFFER_CHARS = 2_000_000;

interface StepLog {
  title: string;
  chunks: string[];
  size: number;
  terminal?: vscode.Terminal;
  write?: vscode.EventEmitter<string>;
}

/** Step-log events carry a line each, with or without its line break. */
export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Terminals want CRLF; steps print LF. */
function toTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export class StepLogs implements vscode.Disposable {
  private readonly logs = new Map<string, StepLog>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.window.onDidCloseTerminal((closed) => {
        for (const log of this.logs.values()) if (log.terminal === closed) log.terminal = undefined;
      }),
    );
  }

  private key(flowFile: string, step: string): string {
    return `${flowFile}\u0000${step}`;
  }

  /** Feed of the run's events; a step-start begins a fresh log for that step. */
  handle(flowFile: string, event: RunEvent): void {
    if (event.type === 'step-start') {
      const log = this.entry(flowFile, event.step);
      log.chunks = [];
      log.size = 0;
      this.append(log, `\x1b[2m── ${event.step} · run ${event.runId}${event.attempt > 1 ? ` · attempt ${event.attempt}` : ''}\x1b[0m\n`);
    } else if (event.type === 'step-log') {
      this.append(this.entry(flowFile, event.step), withNewline(event.text));
    } else if (event.type === 'step-end') {
      const log = this.entry(flowFile, event.step);
      const colour = event.outcome === 'failed' ? '31' : event.outcome === 'cancelled' ? '33' : '32';
      const detail = event.message ? `: ${event.message}` : '';
      this.append(log, `\x1b[${colour}m── ${event.step} ${event.outcome} in ${(event.durationMs / 1000).toFixed(1)} s${detail}\x1b[0m\n`);
    }
  }

  show(flowFile: string, step: string): void {
    const log = this.entry(flowFile, step);
    if (log.size === 0) {
      const fromDisk = latestLogFile(flowFile, step);
      if (fromDisk) this.append(log, readFileSync(fromDisk, 'utf8'));
      else this.append(log, `No log yet: ${step} has not run.\n`);
    }
    if (!log.terminal) {
      const write = new vscode.EventEmitter<string>();
      log.write = write;
      log.terminal = vscode.window.createTerminal({
        name: log.title,
        iconPath: new vscode.ThemeIcon('output'),
        pty: {
          onDidWrite: write.event,
          open: () => write.fire(toTerminal(log.chunks.join(''))),
          close: () => {
            write.dispose();
            if (log.write === write) log.write = undefined;
          },
        },
      });
    }
    log.terminal.show(true);
  }

  private entry(flowFile: string, step: string): StepLog {
    const key = this.key(flowFile, step);
    let log = this.logs.get(key);
    if (!log) {
      log = { title: `Flowbench: ${step} (${basename(flowFile).replace(/\.flow\.ya?ml$/, '')})`, chunks: [], size: 0 };
      this.logs.set(key, log);
    }
    return log;
  }

  private append(log: StepLog, text: string): void {
    log.chunks.push(text);
    log.size += text.length;
    while (log.size > MAX_BUFFER_CHARS && log.chunks.length > 1) log.size -= log.chunks.shift()!.length;
    log.write?.fire(toTerminal(text));
  }

  dispose(): void {
    for (const log of this.logs.values()) log.terminal?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** `.flowbench/logs/<runId>/<step>.log` of the newest run that has one (run ids sort by time). */
export function latestLogFile(flowFile: string, step: string): string | undefined {
  const logsDir = join(dirname(flowFile), '.flowbench', 'logs');
  if (!existsSync(logsDir)) return undefined;
  const runs = readdirSync(logsDir).sort().reverse();
  for (const run of runs) {
    const file = join(logsDir, run, `${step}.log`);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}
