// Runs one shell command in its own process group, streaming its output line by line.
// Killing the group (negative pid) takes the whole tree down: `python train.py` under `sh -c`, and
// whatever that spawned, stop together on cancel or timeout; groups its descendants moved to (setsid) are
// found through /proc and signalled with it. The run's reaper knows the group while it lives, so the
// tree is ended even if this process is killed before it could.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { descendantGroups, signalGroup } from './process-tree';
import type { Reaper } from './reaper';

export interface ProcessOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLine: (stream: 'stdout' | 'stderr', text: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  reaper?: Reaper;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the shell itself could not be started. */
  spawnError?: string;
}

/** After SIGTERM, how long a tree may take to exit before it gets SIGKILL; Stop promises all gone within 2 s. */
export const KILL_GRACE_MS = 1000;
/** Lines longer than this (progress bars redrawn with \r) are passed on in pieces. */
const MAX_LINE = 64 * 1024;

export function runProcess(opts: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const result: ProcessResult = { exitCode: null, signal: null, timedOut: false, cancelled: false };
    const child = spawn('/bin/sh', ['-c', opts.command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) opts.reaper?.add(pid);
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    const groups = new Set<number>();
    const unregister = (): void => {
      if (pid !== undefined) opts.reaper?.remove(pid);
      for (const g of groups) if (g !== pid) opts.reaper?.remove(g);
    };

    const killTree = (): void => {
      if (pid === undefined || killTimer) return;
      // Found before the TERM: once the shell is gone, its setsid children are no longer its descendants.
      // The reaper learns of them too, should this process die before the KILL.
      groups.add(pid);
      for (const g of descendantGroups(pid)) {
        if (!groups.has(g)) opts.reaper?.add(g);
        groups.add(g);
      }
      for (const g of groups) signalGroup(g, 'SIGTERM');
      killTimer = setTimeout(() => {
        for (const g of descendantGroups(pid)) groups.add(g);
        for (const g of groups) signalGroup(g, 'SIGKILL');
        unregister();
      }, KILL_GRACE_MS);
      // Stragglers of a finished step must not keep the runner alive; the reaper ends them if it exits first.
      killTimer.unref();
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
      if (pid !== undefined && signalGroup(pid, 0)) killTree();
    });
    child.on('close', () => {
      clearTimeout(timeoutTimer);
      // A pending kill may still have a process to end (one that closed its output and ignores TERM); then
      // it stays due, unregistering the group once it fired.
      if (killTimer && ![...groups].some((g) => signalGroup(g, 0))) {
        clearTimeout(killTimer);
        killTimer = undefined;
      }
      if (!killTimer) unregister();
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    });
  });
}
