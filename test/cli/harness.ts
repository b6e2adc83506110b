// Runs the real bundled CLI (dist/cli.js) as a child process on throwaway flow projects.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { RunEvent } from '../../core/engine/events';

export const repo = resolve(__dirname, '../..');
export const cli = join(repo, 'dist', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/cli.js when it is missing or older than core/. Test files run in parallel, so a lock
 * directory keeps two of them from rewriting the bundle while the other is running it.
 */
export function ensureBuilt(): void {
  const lock = join(repo, 'dist', '.build-lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for 2 minutes; remove it if no build is running`);
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    let built = 0;
    try {
      built = statSync(cli).mtimeMs;
    } catch {
      // not built yet
    }
    if (built < newestSource(join(repo, 'core'))) {
      const res = spawnSync('npm', ['run', 'build'], { cwd: repo, encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`npm run build failed:\n${res.stdout}\n${res.stderr}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

/** A temp folder holding the given files; removed when the test ends. */
export function project(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Plain text whatever the environment asks for: tests match words, not escape codes. */
function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return env;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `input` is what the command reads on stdin (an answer to a prompt); without it stdin is at its end. */
export function flowbench(cwd: string, args: string[], timeoutMs = 60_000, input?: string): CliResult {
  const res = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: plainEnv(), timeout: timeoutMs, input });
  return { code: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
}

export function startFlowbench(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...plainEnv(), ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((ok) => child.on('close', (code, signal) => ok({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** Parses --events output; throws on any line that is not a JSON event. */
export function parseEvents(stdout: string): RunEvent[] {
  return stdout.split('\n').filter((l) => l.length > 0).map((l) => {
    const event = JSON.parse(l) as RunEvent;
    if (typeof event.type !== 'string' || typeof event.runId !== 'string') throw new Error(`not a run event: ${l}`);
    return event;
  });
}

export function outcomes(events: RunEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'step-end') out[e.step] = e.outcome;
  return out;
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Alive and not a zombie (a container's init may never reap orphans). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every run record and the index parse; returns the records by id. */
export function readAllRecords(dir: string): Map<string, { status: string; steps: Record<string, { state: string }> }> {
  const runsDir = join(dir, '.flowbench', 'runs');
  const records = new Map();
  for (const name of readdirSync(runsDir)) {
    if (!/^\d{8}-\d{6}-/.test(name) || !readdirSync(join(runsDir, name)).includes('record.json')) continue;
    records.set(name, JSON.parse(readFileSync(join(runsDir, name, 'record.json'), 'utf8')));
  }
  for (const text of readFileSync(join(runsDir, 'index.jsonl'), 'utf8').split('\n')) if (text) JSON.parse(text);
  return records;
}

/**
 * A variable to start a process tree with: every process below it inherits it, whatever group or session
 * it moved to, so `markedProcesses` finds the whole tree.
 */
export function treeMark(): { name: string; value: string } {
  return { name: 'FLOWBENCH_TEST_TREE', value: `t${process.pid}x${Date.now()}x${Math.random().toString(36).slice(2)}` };
}

/** Live processes (zombies excluded) started with the mark in their environment. */
export function markedProcesses(mark: { name: string; value: string }): number[] {
  const needle = `${mark.name}=${mark.value}\0`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').includes(needle) && processAlive(Number(name))) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Waits until no process of the marked tree is left; fails (and kills what is left) after `withinMs` from `since`. */
export async function treeGone(mark: { name: string; value: string }, since: number, withinMs: number): Promise<void> {
  while (markedProcesses(mark).length > 0) {
    if (Date.now() - since > withinMs) {
      const left = markedProcesses(mark);
      const described = left.map((pid) => {
        try {
          return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
        } catch {
          return String(pid);
        }
      });
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      throw new Error(`${left.length} process(es) of the tree still alive ${withinMs} ms after the stop:\n${described.join('\n')}`);
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
}
