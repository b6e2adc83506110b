// The language server's LSP wiring: documents, diagnostics and requests. All analysis lives in core/
// (the same code the CLI and runner use); flow analysis runs in a worker thread (analyzer.ts).
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
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { complete } from '../core/analysis/completion';
import { hover } from '../core/analysis/hover';
import { definition, references, renameRange, renameStep } from '../core/analysis/navigation';
import { outline, stepLenses } from '../core/analysis/outline';
import { analysable, isFlowFile, MAX_SQL_FEATURE_CHARS, tooLargeNotice, tooSlowNotice, WorkspaceIndex } from '../core/analysis/workspace';
import { analyzeFlow } from '../core/flow/analyze';
import { diskHost, type FileHost } from '../core/flow/host';
import { readYamlFast } from '../core/flow/yaml-fast';
import { checkSqlSyntax } from '../core/sql/syntax';
import { ANALYSIS_BUDGET_MS, Analyzer } from './analyzer';
import { ChangeBatcher } from './changes';
import { toCodeActions, toCompletionItem, toDocumentEdits, toDocumentSymbol, toPath, toUri } from './convert';
import { DiagnosticsPublisher } from './diagnostics';
import { DiskTexts } from './disk-texts';
import { findFlowFiles } from './discover';
import { StatusCache } from './status-cache';

const CHANGE_INTERVAL_MS = 50;
/** A request waits this long at most for pending edits to be analysed, then answers from the last analysis. */
const REQUEST_WAIT_MS = 500;

/** A refusal the user should read (e.g. an invalid new name), not a server fault. */
class RenameRefused extends Error {}

/** `workerScript`: the bundle to load in the analysis worker thread (the server's own file). */
export function startServer(workerScript: string): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const open = new Map<string, TextDocument>();
  const analyzer = new Analyzer(workerScript);

  const disk = new DiskTexts((file) => roots.some((root) => file.startsWith(root + path.sep)));
  /** Open editor buffers win over the disk, so diagnostics follow unsaved text. */
  const host: FileHost = {
    readText: (file) => open.get(file)?.getText() ?? disk.read(file),
    exists: (file) => open.has(file) || diskHost.exists(file),
  };
  const ws = new WorkspaceIndex(host);
  const publisher = new DiagnosticsPublisher(ws, (file, diagnostics) => void connection.sendDiagnostics({ uri: toUri(file), diagnostics }));
  let roots: string[] = [];
  let canRefreshLenses = false;
  const refreshLenses = () => {
    if (canRefreshLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  };
  const statuses = new StatusCache(refreshLenses);
  /** Per flow file, the latest analysis asked for; an older one finishing late is dropped. */
  const latest = new Map<string, number>();
  let jobs = 0;

  const log = (what: string, e: unknown) =>
    connection.console.error(`flowbench: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);

  /** Re-analyses every flow that reads one of `files`, then republishes what those flows touch. */
  async function analyse(files: Set<string>): Promise<void> {
    const flows = new Set<string>();
    const publish = new Set<string>(files);
    for (const file of files) {
      if (isFlowFile(file)) flows.add(file);
      for (const reader of ws.readersOf(file)) flows.add(reader);
    }
    const buffers = new Map<string, string>();
    for (const [file, doc] of open) if (!isFlowFile(file)) buffers.set(file, doc.getText());
    const hugeBuffer = [...buffers.values()].some((text) => text.length > MAX_SQL_FEATURE_CHARS);
    // Analyses below may finish in any order; the last one asked for per flow wins.
    await Promise.all(
      [...flows].map(async (flow) => {
        const job = ++jobs;
        latest.set(flow, job);
        for (const f of ws.flow(flow)?.files ?? []) publish.add(f);
        const text = host.readText(flow);
        if (text === undefined) return ws.remove(flow);
        if (!analysable(text)) return void ws.set(flow, text, undefined, tooLargeNotice(flow, text));
        // Text the linear fast YAML reader accepts analyses in a few milliseconds: do it here and skip the
        // copy to and from the worker. Anything else may hit the yaml package's slow paths, and a huge SQL
        // buffer makes template checks slow: worker, with a budget.
        const tree = hugeBuffer ? undefined : readYamlFast(text);
        const result = tree ? { analysis: analyzeFlow(flow, text, host, tree) } : await analyzer.analyze(flow, text, buffers);
        if (latest.get(flow) !== job) return;
        if ('analysis' in result) ws.set(flow, text, result.analysis);
        else if ('timedOut' in result) ws.set(flow, text, undefined, tooSlowNotice(flow, ANALYSIS_BUDGET_MS));
        else log(`analysis of ${flow}`, result.failed);
        for (const f of ws.flow(flow)?.files ?? []) publish.add(f);
      }),
    );
    const edited = new Set([...files].filter((f) => open.has(f)));
    // Not awaited: requests wait for the analysis, never for the SQL parser.
    publisher.publish(publish, edited).catch((e) => log('publish', e));
  }

  const batcher = new ChangeBatcher(CHANGE_INTERVAL_MS, (files) => analyse(files).catch((e) => log('analysis', e)));

  /** A file appeared or vanished: flows in folders above it may have had (or now have) a missing-file problem. */
  const flowsAround = (file: string) => ws.allFlows().map((f) => f.file).filter((flow) => file.startsWith(path.dirname(flow) + path.sep));

  /** Drops a flow from the index and republishes (clears) the files it touched. */
  const forget = (file: string) => {
    const entry = ws.flow(file);
    ws.remove(file);
    for (const f of entry?.files ?? []) batcher.touch(f);
  };

  async function indexFolders(folders: string[]): Promise<void> {
    for (const folder of folders) for (const file of await findFlowFiles(folder).catch(() => [])) batcher.touch(file);
  }

  /**
   * Handlers never take the server down: a failure is logged and answered with an empty result. Each first
   * lets pending edits be analysed (briefly), so it answers about the text it was sent against.
   */
  function handle<P, R>(name: string, handler: (params: P) => R | Promise<R>, fallback: R): (params: P) => Promise<R> {
    return async (params: P) => {
      try {
        await Promise.race([batcher.flushNow(), new Promise((r) => setTimeout(r, REQUEST_WAIT_MS))]);
        return await handler(params);
      } catch (e) {
        if (e instanceof RenameRefused) throw e;
        log(name, e);
        return fallback;
      }
    };
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
    // Load DuckDB now rather than in the middle of the first SQL edit.
    void checkSqlSyntax('SELECT 1', 'duckdb');
    void indexFolders(roots);
    connection.workspace.onDidChangeWorkspaceFolders((event) => {
      const removed = event.removed.map((f) => toPath(f.uri)).filter((f): f is string => !!f);
      for (const flow of ws.allFlows()) if (removed.some((r) => flow.file.startsWith(r + path.sep)) && !open.has(flow.file)) forget(flow.file);
      const added = event.added.map((f) => toPath(f.uri)).filter((f): f is string => !!f);
      roots = [...roots.filter((r) => !removed.includes(r)), ...added];
      void indexFolders(added);
    });
  });

  documents.onDidOpen((e) => {
    const file = toPath(e.document.uri);
    if (file) open.set(file, e.document);
  });
  documents.onDidChangeContent((e) => {
    const file = toPath(e.document.uri);
    if (!file) return;
    open.set(file, e.document);
    if (isFlowFile(file) || ws.sqlUses(file).length === 0) return batcher.touch(file);
    // A SQL edit gets its syntax check at once; re-validating its flows can wait for the interval.
    batcher.touchLater(file);
    publisher.publishSqlEdit(file).then(
      (published) => void (published || batcher.flushNow()),
      (err) => (log('SQL diagnostics', err), void batcher.flushNow()),
    );
  });
  documents.onDidClose((e) => {
    const file = toPath(e.document.uri);
    if (!file) return;
    open.delete(file);
    ws.forget(file);
    disk.forget(file);
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
      disk.forget(file);
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

  connection.onCompletion(handle('completion', (p) => {
    const file = toPath(p.textDocument.uri);
    return file ? complete(ws, file, p.position).map(toCompletionItem) : [];
  }, []));

  connection.onHover(handle('hover', async (p) => {
    const file = toPath(p.textDocument.uri);
    const info = file ? await hover(ws, file, p.position) : undefined;
    return info ? { contents: { kind: 'markdown' as const, value: info.markdown }, range: info.range } : null;
  }, null));

  connection.onDefinition(handle('definition', (p) => {
    const file = toPath(p.textDocument.uri);
    return file ? definition(ws, file, p.position).map((l) => ({ uri: toUri(l.file), range: l.range })) : [];
  }, []));

  connection.onReferences(handle('references', (p) => {
    const file = toPath(p.textDocument.uri);
    return file ? references(ws, file, p.position, p.context.includeDeclaration).map((l) => ({ uri: toUri(l.file), range: l.range })) : [];
  }, []));

  connection.onPrepareRename(handle('prepareRename', (p) => {
    const file = toPath(p.textDocument.uri);
    const hit = file ? renameRange(ws, file, p.position) : undefined;
    return hit && hit.target.kind === 'step' ? { range: hit.range, placeholder: hit.target.name } : null;
  }, null));

  connection.onRenameRequest(handle('rename', (p) => {
    const file = toPath(p.textDocument.uri);
    if (!file) return null;
    const result = renameStep(ws, file, p.position, p.newName);
    if ('error' in result) throw new RenameRefused(result.error);
    return { documentChanges: toDocumentEdits(result.edits, file) };
  }, null));

  connection.onCodeAction(handle('codeAction', (p) => p.context.diagnostics.flatMap(toCodeActions), []));

  connection.onDocumentSymbol(handle('documentSymbol', (p) => {
    const file = toPath(p.textDocument.uri);
    const analysis = file ? ws.flow(file)?.analysis : undefined;
    return analysis ? outline(analysis.flow).map(toDocumentSymbol) : [];
  }, []));

  connection.onCodeLens(handle('codeLens', (p) => {
    const file = toPath(p.textDocument.uri);
    const entry = file ? ws.flow(file) : undefined;
    if (!file || !entry?.analysis) return [];
    // The engine's status check parses the saved file on this thread: only when that is known to be quick.
    const saved = diskHost.readText(file);
    const quick = saved !== undefined && (saved === entry.text || (analysable(saved) && readYamlFast(saved) !== undefined));
    return stepLenses(entry.analysis, quick ? statuses.get(file) : undefined).map((lens) => ({
      range: lens.range,
      command: { title: lens.title, command: lens.command ?? '', arguments: lens.args },
    }));
  }, []));

  connection.onShutdown(() => analyzer.dispose());
  process.on('uncaughtException', (e) => log('uncaught', e));
  process.on('unhandledRejection', (e) => log('unhandled rejection', e));

  documents.listen(connection);
  connection.listen();
}
