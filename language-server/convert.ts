// Translation between the core's plain data and LSP types. Nothing here decides anything.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  CreateFile,
  DiagnosticSeverity,
  DocumentSymbol,
  SymbolKind,
  TextDocumentEdit,
  TextEdit,
  type CompletionItem,
  type Diagnostic,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { CompletionEntry, CompletionKind } from '../core/analysis/completion';
import type { OutlineKind, OutlineSymbol } from '../core/analysis/outline';
import type { Fix, Problem, Severity, TextEdit as CoreEdit } from '../core/flow/model';

/** Paths of files the client named, with the exact URI it used, so replies echo the client's spelling. */
const uriOfPath = new Map<string, string>();

export function toPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    const file = fileURLToPath(uri);
    uriOfPath.set(file, uri);
    return file;
  } catch {
    return undefined;
  }
}

export function toUri(file: string): string {
  return uriOfPath.get(file) ?? pathToFileURL(file).href;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic carries for its quick fixes. */
export interface DiagnosticData {
  flowFile: string;
  fixes: Fix[];
}

export function toDiagnostic(p: Problem, source: string, flowFile: string): Diagnostic {
  const diagnostic: Diagnostic = { range: p.range, severity: SEVERITY[p.severity], code: p.code, source, message: p.message };
  if (p.related?.length) {
    diagnostic.relatedInformation = p.related.map((r) => ({ location: { uri: toUri(r.file), range: r.range }, message: r.message }));
  }
  if (p.fixes?.length) diagnostic.data = { flowFile, fixes: p.fixes } satisfies DiagnosticData;
  return diagnostic;
}

export function toCodeActions(diagnostic: Diagnostic): CodeAction[] {
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  if (!data || !Array.isArray(data.fixes) || typeof data.flowFile !== 'string') return [];
  return data.fixes.map((fix, i) => {
    const action = CodeAction.create(fix.title, toWorkspaceEdit(fix, data.flowFile!), CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    action.isPreferred = i === 0 && data.fixes!.length === 1;
    return action;
  });
}

function toWorkspaceEdit(fix: Fix, flowFile: string): WorkspaceEdit {
  const changes: WorkspaceEdit['documentChanges'] = [];
  if (fix.createFile) {
    const uri = toUri(fix.createFile.path);
    changes.push(CreateFile.create(uri, { ignoreIfExists: true }));
    if (fix.createFile.content) changes.push(TextDocumentEdit.create({ uri, version: null }, [TextEdit.insert({ line: 0, character: 0 }, fix.createFile.content)]));
  }
  changes.push(...toDocumentEdits(fix.edits ?? [], flowFile));
  return { documentChanges: changes };
}

/** Groups edits by file: one TextDocumentEdit per document, as LSP requires. */
export function toDocumentEdits(edits: CoreEdit[], defaultFile: string): TextDocumentEdit[] {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of edits) {
    const file = edit.file ?? defaultFile;
    if (!byFile.has(file)) byFile.set(file, []);
    byFile.get(file)!.push(TextEdit.replace(edit.range, edit.newText));
  }
  return [...byFile].map(([file, list]) => TextDocumentEdit.create({ uri: toUri(file), version: null }, list));
}

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  key: CompletionItemKind.Property,
  step: CompletionItemKind.Function,
  param: CompletionItemKind.Variable,
  source: CompletionItemKind.Module,
  table: CompletionItemKind.Class,
  file: CompletionItemKind.File,
  folder: CompletionItemKind.Folder,
  value: CompletionItemKind.EnumMember,
};

export function toCompletionItem(e: CompletionEntry): CompletionItem {
  return {
    label: e.label,
    kind: COMPLETION_KIND[e.kind],
    detail: e.detail,
    documentation: e.documentation ? { kind: 'markdown', value: e.documentation } : undefined,
    textEdit: TextEdit.replace(e.replace, e.insertText ?? e.label),
    // Reopen the list after a folder so paths complete segment by segment.
    command: e.kind === 'folder' ? { title: 'suggest', command: 'editor.action.triggerSuggest' } : undefined,
  };
}

const SYMBOL_KIND: Record<OutlineKind, SymbolKind> = {
  params: SymbolKind.Namespace,
  param: SymbolKind.Variable,
  sources: SymbolKind.Namespace,
  source: SymbolKind.Module,
  table: SymbolKind.Class,
  steps: SymbolKind.Namespace,
  step: SymbolKind.Function,
};

export function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
  return DocumentSymbol.create(s.name, s.detail, SYMBOL_KIND[s.kind], s.range, s.selectionRange, s.children.map(toDocumentSymbol));
}
