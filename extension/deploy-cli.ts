// `flowbench deploy … --json`, `flowbench invoke NAME --json`, `flowbench undeploy NAME` and `flowbench metrics`
// as child processes of the editor (cli-process.ts): stderr lines as progress, Cancel as stop(), and what
// their `--json` printed read back. vscode-free: tested with the CLI.
import type { DeploymentRecord, DeployTarget } from '../core/deploy/types';
import { CliProcess, STOP_GRACE_MS } from './cli-process';

export interface CliResult {
  code: number | null;
  stdout: string;
  /** Last lines of stderr: the error shown when the command fails (enough to hold a usage text after it). */
  stderrTail: string;
  cancelled: boolean;
}

export async function runCli(cliPath: string, cwd: string, args: string[], onLine: (line: string) => void, signal?: AbortSignal, nodePath?: string): Promise<CliResult> {
  // A stop takes longer than a run's: a deploy being cancelled deletes what it created in AWS.
  const end = await new CliProcess(cliPath, args, { cwd, nodePath, signal, tailLines: 60, graceMs: STOP_GRACE_MS * 4, onStderrLine: (line) => line.trim() && onLine(line) }).done;
  return { code: end.code, stdout: end.stdout, stderrTail: end.stderrTail, cancelled: end.stopped };
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
