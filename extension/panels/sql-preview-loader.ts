// Gets a SQL step's preview by spawning the CLI (`flowbench preview STEP FLOW --json`): DuckDB and
// snowflake-sdk load in that process, never in the extension host. Snowflake credentials the editor keeps
// in SecretStorage reach the CLI through `env` (SNOWFLAKE_PASSWORD) and nowhere else. vscode-free, so tests
// drive it with the real CLI.
import { dirname } from 'node:path';
import type { SqlPreviewData } from '../../webviews/sql-preview/contract';
import { CliProcess, stoppedBy } from '../cli-process';

/** A Snowflake warehouse resuming from suspend takes a while; past this the CLI is stopped. */
const PREVIEW_TIMEOUT_MS = 120_000;

export async function loadPreviewFromCli(cliPath: string, flowFile: string, step: string, env: Record<string, string> = {}): Promise<SqlPreviewData> {
  const end = await new CliProcess(cliPath, ['preview', step, flowFile, '--json'], { cwd: dirname(flowFile), env: { ...process.env, ...env, NO_COLOR: '1' }, timeoutMs: PREVIEW_TIMEOUT_MS }).done;
  const { code, stdout, stderrTail } = end;
  if (end.signal || end.timedOut) throw new Error(`the preview stopped (${stoppedBy(end)})`);
  let printed: Partial<SqlPreviewData> & { error?: string } = {};
  try {
    printed = JSON.parse(stdout) as typeof printed;
  } catch {
    // not JSON: the CLI failed before it could say why in JSON; stderr says it
  }
  if (printed.error) throw new Error(printed.error);
  if (code === 0 && printed.columns) return printed as SqlPreviewData;
  const why = stderrTail.split('\n').filter((l) => l.startsWith('flowbench:')).slice(0, 2).join(' ').trim();
  throw new Error(why || `flowbench preview exited with code ${code}`);
}
