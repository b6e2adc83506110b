// `flowbench deploy … --json`, `flowbench invoke NAME --json` and `flowbench undeploy NAME` as child processes of the editor, the way runs
// are (cli-run.ts): plain Node, its own process group, stderr lines as progress, SIGINT on Cancel (the CLI
// then stops what it started) and a group kill if it does not end in time. vscode-free: tested with the CLI.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DeploymentRecord, DeployTarget } from '../core/deploy/types';
import { signalGroup } from '../core/engine/process-tree';
import { STOP_GRACE_MS } from './cli-run';

export interface CliResult {
  code: number | null;
  stdout: string;
  /** Last lines of stderr: the error shown when the command fails (enough to hold a usage text after it). */
  stderrTail: string;
  cancelled: boolean;
}

const TAIL_LINES = 60;

export function runCli(cliPath: string, cwd: string, args: string[], onLine: (line: string) => void, signal?: AbortSignal, nodePath = process.execPath): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(nodePath, [cliPath, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    let cancelled = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (line.trim()) onLine(line);
    });
    const cancel = () => {
      cancelled = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS * 4);
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    const finish = (code: number | null) => {
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', cancel);
      resolve({ code, stdout, stderrTail: tail.join('\n'), cancelled });
    };
    child.once('error', (err) => {
      tail.push(`could not start the Flowbench CLI: ${err.message}`);
      finish(null);
    });
    child.once('close', (code) => finish(code));
  });
}

/** `recreate`: a Failed SageMaker endpoint of the name is deleted and created again. */
export function deployArgs(run: string, flowFile: string, target: DeployTarget, name?: string, recreate = false): string[] {
  return ['deploy', run, flowFile, '--target', target, ...(name ? ['--name', name] : []), ...(recreate ? ['--recreate'] : []), '--json'];
}

/** A deploy refused because the SageMaker endpoint is Failed: the case `--recreate` is for. */
export function refusedAsFailed(result: CliResult): boolean {
  return /endpoint \S+ is (Failed|OutOfService)\b.*cannot take a new model/.test(failureOf(result));
}

export function invokeArgs(name: string, flowFile: string): string[] {
  return ['invoke', name, flowFile, '--json'];
}

/** What `invoke --json` prints: the endpoint's answer, an error status included. */
export interface InvokeAnswer {
  name: string;
  target: DeployTarget;
  status: number;
  ms: number;
  contentType: string;
  /** Parsed when it was JSON. */
  body: unknown;
}

/** The answer `invoke --json` printed; undefined when it printed none (it failed before an answer). */
export function parseInvokeAnswer(stdout: string): InvokeAnswer | undefined {
  try {
    const v = JSON.parse(stdout) as InvokeAnswer;
    return typeof v?.status === 'number' && typeof v.ms === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The record `--json` printed (the last JSON object on stdout). */
export function parseRecord(stdout: string): DeploymentRecord | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const v = JSON.parse(line) as DeploymentRecord | DeploymentRecord[];
      const r = Array.isArray(v) ? v[0] : v;
      if (r && typeof r.name === 'string') return r;
    } catch {
      // a progress line
    }
  }
  try {
    const v = JSON.parse(stdout) as DeploymentRecord;
    return typeof v?.name === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The CLI's own message ("flowbench: …") when it failed, else its last lines. */
export function failureOf(result: CliResult): string {
  const own = result.stderrTail.split('\n').filter((l) => /^flowbench( [a-z]+)?:/.test(l));
  return (own.length ? own.join(' ') : result.stderrTail.split('\n').slice(-3).join(' ')).replace(/^flowbench( [a-z]+)?:\s*(error:\s*)?/, '').trim() || `exited with code ${result.code}`;
}
