// Extension entry point. Activation must never fail on a broken flow file: every piece reads flows
// through FlowWorkspace, which turns any failure into problems shown in the tree. The activation time
// is logged to the "Flowbench" output channel (the benchmark reads it from there).
import * as vscode from 'vscode';
import { ProcessLog } from './process-log';

interface LanguageClientLike {
  stop(): Promise<void>;
}
let languageClient: LanguageClientLike | undefined;

/**
 * Shows the views at once; resolves once the commands and panels are registered too (VS Code holds a command
 * run or a panel restore until then), their chunk loaded after the views are up.
 */
export function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = performance.now();
  const log = new ProcessLog();
  context.subscriptions.push(log);
  // Required here rather than imported, so the time below includes evaluating the extension's code.
  const { wireViews } = require('./wiring') as typeof import('./wiring');
  const wired = wireViews(context, log);
  const viewsUp = performance.now();
  log.info(`Flowbench ${context.extension.packageJSON.version} activated in ${(viewsUp - started).toFixed(1)} ms (trusted=${vscode.workspace.isTrusted})`);
  return (async () => {
    const { wireCommands } = await import('./commands-wiring');
    wireCommands(context, wired);
    log.debug(`commands and panels registered ${(performance.now() - viewsUp).toFixed(1)} ms after the views`);
    // The language client is loaded after activation returns: the views do not wait for it.
    setImmediate(() => void startLanguageClient(context, log));
  })();
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
