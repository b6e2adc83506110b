// Runs one shell command in its own process group, streaming its output line by line.
// Killing the group (negative pid) takes the whole tree down: `python train.py` under `sh -c`, and
// whatever that spawned, stop together on cancel or timeout.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface ProcessOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLine: (stream: 'stdout' | 'stderr', text: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the shell itself could not be started. */
  spawnError?: string;
}

/** After SIGTERM, how long a tree may take to exit before it gets SIGKILL. */
export const KILL_GRACE_MS = 1500;
/** Lines longer than this (progress bars redrawn with \r) are passed on in pieces. */
const MAX_LINE = 64 * 1024;

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // The group is already gone.
  }
}

export function runProcess(opts: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const result: ProcessResult = { exitCode: null, signal: null, timedOut: false, cancelled: false };
    const child = spawn('/bin/sh', ['-c', opts.command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const killTree = (): void => {
      const pid = child.pid;
      if (pid === undefined || killTimer) return;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = (): void => {
      result.cancelled = true;
      killTree();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) {
      timeoutTimer = setTimeout(() => {
        result.timedOut = true;
        killTree();
      }, opts.timeoutMs);
    }

    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      const emit = (text: string): void => {
        pending += text;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          opts.onLine(stream, pending.slice(0, nl).replace(/\r$/, ''));
          pending = pending.slice(nl + 1);
        }
        while (pending.length > MAX_LINE) {
          opts.onLine(stream, pending.slice(0, MAX_LINE));
          pending = pending.slice(MAX_LINE);
        }
      };
      child[stream].on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
      child[stream].on('end', () => {
        emit(decoder.end());
        if (pending) opts.onLine(stream, pending);
        pending = '';
      });
    }

    child.on('error', (err) => {
      result.spawnError = err.message;
    });
    child.on('exit', (code, sig) => {
      result.exitCode = code;
      result.signal = sig;
      // Children left behind by the command would hold its pipes open (and outlive the step): end them.
      if (child.pid !== undefined && groupAlive(child.pid)) killTree();
    });
    child.on('close', () => {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    });
  });
}
