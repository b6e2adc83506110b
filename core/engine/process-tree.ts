// Signals whole process trees. A step runs in its own process group, but what it starts may leave that group
// (`setsid`, a daemon's own setpgid): those processes are found as descendants through /proc and their groups
// signalled too. No native module, so the extension host uses it as well (its Stop backstop).
import { readdirSync, readFileSync } from 'node:fs';

/** A number that names a process group of our own: -0 would be this process's group, -1 every process there is. */
export function isGroupId(pgid: number): boolean {
  return Number.isInteger(pgid) && pgid > 1;
}

/** Sends `sig` to process group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  if (!isGroupId(pgid)) return false;
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * The process groups of every live descendant of `pid`; empty where there is no /proc. Reads one small
 * file per process, so it is for kills only, never on a step's normal path.
 */
export function descendantGroups(pid: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, { pid: number; pgid: number }[]>();
  for (const name of names) {
    if (name.charCodeAt(0) > 57) continue; // not a pid
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp ...
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (state === 'Z') continue;
    const list = children.get(Number(ppid)) ?? [];
    list.push({ pid: Number(name), pgid: Number(pgrp) });
    children.set(Number(ppid), list);
  }
  const groups = new Set<number>();
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.pop()!) ?? []) {
      groups.add(child.pgid);
      queue.push(child.pid);
    }
  }
  return [...groups];
}
