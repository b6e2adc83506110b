// Gets a run's model card by spawning the CLI (`flowbench card RUN FLOW --format json`): hashing sources,
// restoring outs from the cache and running the checks' inferences (in ONNX Runtime's worker, a child of the
// CLI) all happen outside the extension host. vscode-free, so tests drive it with the real CLI.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { ModelCard } from '../../core/model/card-types';

/** A card of a large model with many checks takes seconds; past this the CLI is stopped and the card says so. */
const CARD_TIMEOUT_MS = 120_000;

export function loadCardFromCli(cliPath: string, flowFile: string, run: string): Promise<ModelCard> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'card', run, flowFile, '--format', 'json'], {
      cwd: dirname(flowFile),
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CARD_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start the Flowbench CLI: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          return resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as ModelCard);
        } catch (e) {
          return reject(new Error(`the card the CLI printed is not JSON: ${(e as Error).message}`));
        }
      }
      const why = err.split('\n').filter((l) => l.startsWith('flowbench:') || l.trim().startsWith('list') || l.trim().startsWith('type')).slice(0, 2).join(' ').trim();
      reject(new Error(signal ? `building the card stopped (${signal}${signal === 'SIGKILL' ? ', took too long or crashed' : ''})` : why || `flowbench card exited with code ${code}`));
    });
  });
}
