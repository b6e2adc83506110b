// Runs the Flowbench CLI as a child of the extension host for a panel (a card, a preview) and collects what it
// printed: native modules and warehouse drivers load in that child, never in the host. A child that runs past
// `timeoutMs` is killed.
import { spawn } from 'node:child_process';

export interface CliChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 4,000 characters of stderr. */
  stderr: string;
}

export function runCliChild(cliPath: string, args: string[], cwd: string, timeoutMs: number, env: Record<string, string> = {}): Promise<CliChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd,
      env: { ...process.env, ...env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start the Flowbench CLI: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}

/** Why a child that was killed stopped, in words. */
export function stoppedBy(signal: NodeJS.Signals): string {
  return `${signal}${signal === 'SIGKILL' ? ', took too long or crashed' : ''}`;
}
