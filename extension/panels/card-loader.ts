// Gets a run's model card by spawning the CLI (`flowbench card RUN FLOW --format json`): hashing sources,
// restoring outs from the cache and running the checks' inferences (in ONNX Runtime's worker, a child of the
// CLI) all happen outside the extension host. vscode-free, so tests drive it with the real CLI.
import { dirname } from 'node:path';
import type { ModelCard } from '../../core/model/card-types';
import { CliProcess, stoppedBy } from '../cli-process';

/** A card of a large model with many checks takes seconds; past this the CLI is stopped and the card says so. */
const CARD_TIMEOUT_MS = 120_000;

export async function loadCardFromCli(cliPath: string, flowFile: string, run: string): Promise<ModelCard> {
  const end = await new CliProcess(cliPath, ['card', run, flowFile, '--format', 'json'], { cwd: dirname(flowFile), timeoutMs: CARD_TIMEOUT_MS }).done;
  const { code, signal, stdout, stderrTail } = end;
  if (code === 0) {
    try {
      return JSON.parse(stdout) as ModelCard;
    } catch (e) {
      throw new Error(`the card the CLI printed is not JSON: ${(e as Error).message}`);
    }
  }
  const why = stderrTail.split('\n').filter((l) => l.startsWith('flowbench:') || l.trim().startsWith('list') || l.trim().startsWith('type')).slice(0, 2).join(' ').trim();
  throw new Error(signal || end.timedOut ? `building the card stopped (${stoppedBy(end)})` : why || `flowbench card exited with code ${code}`);
}
