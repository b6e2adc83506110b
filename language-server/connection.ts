// The Flowbench language server: flow files and the SQL files their steps use. All analysis lives in
// core/ (the same code the CLI and runner use); this file wires it to LSP. Started with --stdio or --node-ipc.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { complete } from '../core/analysis/completion';
import { hover } from '../core/analysis/hover';
import { definition, references, renameRange, renameStep } from '../core/analysis/navigation';
import { outline, stepLenses } from '../core/analysis/outline';
import { isFlowFile, WorkspaceIndex } from '../core/analysis/workspace';
import { diskHost, type FileHost } from '../core/flow/host';
import { ChangeBatcher } from './changes';
import { toCodeActions, toCompletionItem, toDocumentEdits, toDocumentSymbol, toPath, toUri } from './convert';
import { DiagnosticsPublisher } from './diagnostics';
import { StatusCache } from './status-cache';
import { findFlowFiles } from './discover';

const CHANGE_INTERVAL_MS = 50;

const connection: Connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const open = new Map<string, TextDocument>();

/** Open editor buffers win over the disk, so diagnostics follow unsaved text. */
const host: FileHost = {
  readText: (file) => open.get(file)?.getText() ?? diskHost.readText(file),
  exists: (file) => open.has(file) || diskHost.exists(file),
};
const ws = new WorkspaceIndex(host);
const publisher = new DiagnosticsPublisher(ws, (file, diagnostics) => void connection.sendDiagnostics({ uri: toUri(file), diagnostics }));
let roots: string[] = [];
let canRefreshLenses = false;
const statuses = new StatusCache(refreshLenses);

function refreshLenses(): void {
  if (canRefreshLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
}

const batcher = new ChangeBatcher(CHANGE_INTERVAL_MS, (files) => guard('analysis', () => analyse(files), undefined));

/** Re-analyses every flow that reads one of `files`, then republishes what those flows touch. */
function analyse(files: Set<string>): void {
  const flows = new Set<string>();
  const publish = new Set<string>(files);
  for (const file of files) {
    if (isFlowFile(file)) flows.add(file);
    for (const reader of ws.readersOf(file)) flows.add(reader);
  }
  for (const flow of flows) {
    for (const f of ws.flow(flow)?.files ?? []) publish.add(f);
    for (const f of ws.update(flow)?.files ?? []) publish.add(f);
  }
  const edited = new Set([...files].filter((f) => open.has(f)));
  void publisher.publish(publish, edited).catch((e) => log('publish', e));
}

/** A file appeared or vanished: flows in folders above it may have had (or now have) a missing-file problem. */
function flowsAround(file: string): string[] {
  return ws.allFlows().map((f) => f.file).filter((flow) => file.startsWith(path.dirname(flow) + path.sep));
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const folders = params.workspaceFolders?.map((f) => toPath(f.uri)) ?? [params.rootUri ? toPath(params.rootUri) : undefined];
  roots = folders.filter((f): f is string => !!f);
  canRefreshLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: true },
      completionProvider: { triggerCharacters: ['.', "'", '"', '/', '[', ',', ' '] },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'flowbench' },
  };
});

connection.onInitialized(() => {
  void indexFolders(roots);
  connection.workspace.onDidChangeWorkspaceFolders((event) => {
    const removed = event.removed.map((f) => toPath(f.uri)).filter((f): f is string => !!f);
    for (const flow of ws.allFlows()) if (removed.some((r) => flow.file.startsWith(r + path.sep)) && !open.has(flow.file)) batcher.touch(forget(flow.file));
    const added = event.added.map((f) => toPath(f.uri)).filter((f): f is string => !!f);
    roots = [...roots.filter((r) => !removed.includes(r)), ...added];
    void indexFolders(added);
  });
});

async function indexFolders(folders: string[]): Promise<void> {
  for (const folder of folders) {
    const files = await findFlowFiles(folder).catch(() => []);
    for (const file of files) batcher.touch(file);
  }
}

/** Drops a flow from the index; returns it so its files get republished (cleared). */
function forget(file: string): string {
  const entry = ws.flow(file);
  ws.remove(file);
  for (const f of entry?.files ?? []) batcher.touch(f);
  return file;
}

documents.onDidOpen((e) => {
  const file = toPath(e.document.uri);
  if (file) open.set(file, e.document);
});
documents.onDidChangeContent((e) => {
  const file = toPath(e.document.uri);
  if (!file) return;
  open.set(file, e.document);
  batcher.touch(file);
});
documents.onDidClose((e) => {
  const file = toPath(e.document.uri);
  if (!file) return;
  open.delete(file);
  ws.forget(file);
  // Back to the file on disk (which may differ from the discarded buffer, or be gone).
  if (isFlowFile(file) && !fs.existsSync(file)) forget(file);
  else batcher.touch(file);
});
documents.onDidSave((e) => {
  const file = toPath(e.document.uri);
  if (file && isFlowFile(file)) statuses.invalidate(file);
});

connection.onDidChangeWatchedFiles((params) => {
  for (const change of params.changes) {
    const file = toPath(change.uri);
    if (!file) continue;
    for (const flow of flowsAround(file)) statuses.invalidate(flow);
    if (file.includes(`${path.sep}.flowbench${path.sep}`)) {
      // A run wrote its records: only statuses changed.
      refreshLenses();
      continue;
    }
    if (open.has(file)) continue;
    if (isFlowFile(file) && change.type === FileChangeType.Deleted) {
      forget(file);
      continue;
    }
    batcher.touch(file);
    if (change.type !== FileChangeType.Changed) for (const flow of flowsAround(file)) batcher.touch(flow);
  }
});

connection.onCompletion(guardParams('completion', (p) => {
  const file = toPath(p.textDocument.uri);
  return file ? complete(ws, file, p.position).map(toCompletionItem) : [];
}, []));

connection.onHover(guardParams('hover', (p) => {
  const file = toPath(p.textDocument.uri);
  const info = file ? hover(ws, file, p.position) : undefined;
  return info ? { contents: { kind: 'markdown' as const, value: info.markdown }, range: info.range } : null;
}, null));

connection.onDefinition(guardParams('definition', (p) => {
  const file = toPath(p.textDocument.uri);
  return file ? definition(ws, file, p.position).map((l) => ({ uri: toUri(l.file), range: l.range })) : [];
}, []));

connection.onReferences(guardParams('references', (p) => {
  const file = toPath(p.textDocument.uri);
  return file ? references(ws, file, p.position, p.context.includeDeclaration).map((l) => ({ uri: toUri(l.file), range: l.range })) : [];
}, []));

connection.onPrepareRename(guardParams('prepareRename', (p) => {
  const file = toPath(p.textDocument.uri);
  const hit = file ? renameRange(ws, file, p.position) : undefined;
  return hit ? { range: hit.range, placeholder: hit.target.kind === 'step' ? hit.target.name : '' } : null;
}, null));

connection.onRenameRequest(guardParams('rename', (p) => {
  const file = toPath(p.textDocument.uri);
  if (!file) return null;
  const result = renameStep(ws, file, p.position, p.newName);
  if ('error' in result) throw new RenameRefused(result.error);
  return { documentChanges: toDocumentEdits(result.edits, file) };
}, null));

connection.onCodeAction(guardParams('codeAction', (p) => p.context.diagnostics.flatMap(toCodeActions), []));

connection.onDocumentSymbol(guardParams('documentSymbol', (p) => {
  const file = toPath(p.textDocument.uri);
  const analysis = file ? ws.flow(file)?.analysis : undefined;
  return analysis ? outline(analysis.flow).map(toDocumentSymbol) : [];
}, []));

connection.onCodeLens(guardParams('codeLens', (p) => {
  const file = toPath(p.textDocument.uri);
  const analysis = file ? ws.flow(file)?.analysis : undefined;
  if (!file || !analysis) return [];
  return stepLenses(analysis, statuses.get(file)).map((lens) => ({
    range: lens.range,
    command: { title: lens.title, command: lens.command ?? '', arguments: lens.args },
  }));
}, []));

/** A refusal the user should read (e.g. an invalid new name), not a server fault. */
class RenameRefused extends Error {}

/** Handlers never take the server down: a failure is logged and answered with an empty result. */
function guardParams<P, R>(name: string, handler: (params: P) => R, fallback: R): (params: P) => R {
  return (params: P) => {
    try {
      batcher.flushNow();
      return handler(params);
    } catch (e) {
      if (e instanceof RenameRefused) throw e;
      log(name, e);
      return fallback;
    }
  };
}

function guard<R>(name: string, fn: () => R, fallback: R): R {
  try {
    return fn();
  } catch (e) {
    log(name, e);
    return fallback;
  }
}

function log(what: string, e: unknown): void {
  connection.console.error(`flowbench: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}

process.on('uncaughtException', (e) => log('uncaught', e));
process.on('unhandledRejection', (e) => log('unhandled rejection', e));

documents.listen(connection);
connection.listen();
