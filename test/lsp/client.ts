// A real LSP client for tests and benchmarks: spawns the built server (dist/server.js) over stdio and
// speaks JSON-RPC to it with vscode-languageserver-protocol, exactly as an editor would.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type FileEvent,
  type ProtocolConnection,
  type Range,
} from 'vscode-languageserver-protocol/node';

export const SERVER = path.resolve(__dirname, '../../dist/server.js');

export interface DiagnosticsEvent {
  uri: string;
  diagnostics: Diagnostic[];
  at: number;
}

export class LspClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: { uri: string; test: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  readonly listeners: ((e: DiagnosticsEvent) => void)[] = [];
  stderr = '';
  exited: { code: number | null; signal: string | null } | undefined;

  private constructor(
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  static async start(roots: string[]): Promise<LspClient> {
    if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first.`);
    // LSP_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under a test.
    const child = spawn(process.execPath, [...(process.env.LSP_NODE_ARGS?.split(' ') ?? []), SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    child.stderr!.on('data', (d) => (client.stderr += String(d)));
    child.on('exit', (code, signal) => (client.exited = { code, signal }));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.diagnostics.set(p.uri, p.diagnostics);
      const event = { uri: p.uri, diagnostics: p.diagnostics, at: performance.now() };
      for (const l of client.listeners) l(event);
      for (const w of [...client.waiters]) {
        if (w.uri === p.uri && w.test(p.diagnostics)) {
          client.waiters.splice(client.waiters.indexOf(w), 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    // The server may log; tests read stderr and window/logMessage only when something fails.
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      client.stderr += p.message + '\n';
    });
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: roots[0] ? uri(roots[0]) : null,
      workspaceFolders: roots.map((r) => ({ uri: uri(r), name: path.basename(r) })),
      capabilities: {
        textDocument: {
          publishDiagnostics: { relatedInformation: true },
          completion: { completionItem: { documentationFormat: ['markdown'] } },
          hover: { contentFormat: ['markdown'] },
          rename: { prepareSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, dataSupport: true },
        },
        workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] }, workspaceFolders: true },
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  open(file: string, text = fs.readFileSync(file, 'utf8')): void {
    const languageId = file.endsWith('.sql') ? 'sql' : 'yaml';
    this.versions.set(file, 1);
    this.texts.set(file, text);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri(file), languageId, version: 1, text } });
  }

  /** Replaces the whole buffer. */
  change(file: string, text: string): void {
    const version = (this.versions.get(file) ?? 1) + 1;
    this.versions.set(file, version);
    this.texts.set(file, text);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(file), version }, contentChanges: [{ text }] });
  }

  /** An incremental edit, as editors send while typing. */
  edit(file: string, range: Range, text: string): void {
    const version = (this.versions.get(file) ?? 1) + 1;
    this.versions.set(file, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(file), version }, contentChanges: [{ range, text }] });
  }

  close(file: string): void {
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uri(file) } });
  }

  filesChanged(changes: FileEvent[]): void {
    void this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  /** Resolves with the first diagnostics published for `file` that pass `test` (from now on). */
  waitForDiagnostics(file: string, test: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 10_000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const waiter = { uri: uri(file), test, resolve: (d: Diagnostic[]) => (clearTimeout(timer), resolve(d)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching diagnostics for ${file} within ${timeoutMs} ms; last: ${JSON.stringify(this.diagnostics.get(uri(file)))}\n${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined);
      await this.connection.sendNotification(ExitNotification.type).catch(() => undefined);
      await new Promise((r) => {
        const timer = setTimeout(r, 5000);
        this.process.once('exit', () => (clearTimeout(timer), r(undefined)));
      });
    }
    this.connection.dispose();
    if (!this.exited) this.process.kill();
  }
}

export function uri(file: string): string {
  return pathToFileURL(file).href;
}

/** Zero-based position of the `nth` occurrence of `needle` in `text` (plus `delta` characters). */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
