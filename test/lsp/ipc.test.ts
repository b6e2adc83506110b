// The extension starts the server with the IPC transport (extension/language-client.ts): check it speaks LSP there too.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { test } from 'node:test';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { SERVER, uri } from './client';
import { FLOW, makeProject } from './fixture';

test('the server answers over node IPC', async () => {
  const project = makeProject();
  const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  try {
    const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) =>
      connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
        if (p.uri === uri(project.flow) && p.diagnostics.some((d) => d.code === 'FB020')) resolve(p);
      }),
    );
    connection.listen();
    const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: uri(project.root), capabilities: {}, workspaceFolders: null });
    assert.equal(init.serverInfo?.name, 'flowbench');
    await connection.sendNotification(InitializedNotification.type, {});
    const text = FLOW.replace('needs: [train]', 'needs: [nope]');
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri(project.flow), languageId: 'yaml', version: 1, text } });
    const published = await diagnostics;
    assert.match(JSON.stringify(published.diagnostics), /Unknown step 'nope'/);
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
  } finally {
    connection.dispose();
    child.kill();
    project.cleanup();
  }
});
