// Starts the Flowbench language server (dist/server.js) over IPC and connects VS Code to it.
// Everything the server knows comes from core/; this client only says which files it serves.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=127.0.0.1:6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', pattern: '**/*.flow.{yaml,yml}' },
      { scheme: 'file', language: 'sql' },
    ],
    synchronize: {
      // Flow and SQL files changed outside the editor; any file created or deleted (a missing dep or script
      // may appear); run records (they change the status lenses).
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.{flow.yaml,flow.yml,sql}'),
        vscode.workspace.createFileSystemWatcher('**/*', false, true, false),
        vscode.workspace.createFileSystemWatcher('**/.flowbench/state/**'),
      ],
    },
    outputChannelName: 'Flowbench Language Server',
  };
  const client = new LanguageClient('flowbench', 'Flowbench Language Server', serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push(client);
  return client;
}
