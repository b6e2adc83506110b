// Tells whether the process that writes a run record is still alive, robust to pid reuse and reboots.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunSummary, WriterIdentity } from './types';

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so count from its ')'. */
function processStartTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export function currentWriter(): WriterIdentity {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: readProc('/proc/sys/kernel/random/boot_id')?.trim(),
    pidStart: processStartTime(process.pid),
  };
}

/** Another process of this machine (one this process started, say), as a writer identity. */
export function processIdentity(pid: number): WriterIdentity {
  return { ...currentWriter(), pid, pidStart: processStartTime(pid) };
}

/**
 * A process of this machine exists and has not exited. One that exited but was never reaped (a zombie: a
 * container's init may never reap orphans) still answers `kill(pid, 0)`, so its state in /proc is read too.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === undefined || stat[stat.lastIndexOf(')') + 2] !== 'Z';
}

/** `unknown` when the writer lives on another machine: its runs are left alone. */
export function writerState(writer: WriterIdentity, here = currentWriter()): 'alive' | 'dead' | 'unknown' {
  if (writer.hostname !== here.hostname) return 'unknown';
  if (writer.bootId && here.bootId && writer.bootId !== here.bootId) return 'dead';
  if (!pidAlive(writer.pid)) return 'dead';
  if (writer.pidStart && here.pidStart) {
    const start = processStartTime(writer.pid);
    if (start !== undefined && start !== writer.pidStart) return 'dead';
  }
  return 'alive';
}

/**
 * The status a reader shows for a run: `running` whose writer is dead reads as `interrupted` without writing
 * the record (only the next writer marks it, under the run lock), so a view never spins for a killed run.
 */
export function shownStatus(summary: RunSummary, here = currentWriter()): RunSummary['status'] {
  return summary.status === 'running' && summary.writer && writerState(summary.writer, here) === 'dead' ? 'interrupted' : summary.status;
}
