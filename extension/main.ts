// Extension entry point. Activation must never fail on a broken flow file: every piece reads flows
// through FlowWorkspace, which turns any failure into problems shown in the tree. The activation time
// is logged to the "Flowbench" output channel (the benchmark reads it from there).
import * as vscode from 'vscode';
import { ProcessLog } from './process-log';

interface LanguageClientLike {
  stop(): Promise<void>;
}
let languageClient: LanguageClientLike | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = new ProcessLog();
  context.subscriptions.push(log);
  // Required here rather than imported, so the time below includes evaluating the extension's code.
  const { wireUp } = require('./wiring') as typeof import('./wiring');
  wireUp(context, log);
  const wired = performance.now();
  log.info(`Flowbench ${context.extension.packageJSON.version} activated in ${(wired - started).toFixed(1)} ms (trusted=${vscode.workspace.isTrusted})`);
  // The language client is loaded after activation returns: the views do not wait for it.
  setImmediate(() => void startLanguageClient(context, log));
}

/** The language client lives in its own module (language-client.ts); the views work without it. */
async function startLanguageClient(context: vscode.ExtensionContext, log: ProcessLog): Promise<void> {
  const started = performance.now();
  try {
    const module = require('./language-client') as { startLanguageClient?: (c: vscode.ExtensionContext) => Promise<LanguageClientLike> };
    if (!module.startLanguageClient) return;
    const loaded = performance.now();
    languageClient = await module.startLanguageClient(context);
    log.info(`language client loaded in ${(loaded - started).toFixed(1)} ms; server ready after ${(performance.now() - started).toFixed(0)} ms`);
  } catch (err) {
    log.error('the Flowbench language server did not start (views and runs still work)', err);
  }
}

export async function deactivate(): Promise<void> {
  await languageClient?.stop().catch(() => undefined);
}
