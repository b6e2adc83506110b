// Completion for flow files (schema keys, step names, params, files) and SQL step files (ref, source, params).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Flow, Position, Range } from '../flow/model';
import { lastProfile } from './column-hover';
import { describe, enumAt, keysAt, schemaAt } from './schema';
import { yamlContextAt } from './yaml-context';
import type { WorkspaceIndex } from './workspace';

export type CompletionKind = 'key' | 'step' | 'param' | 'source' | 'table' | 'file' | 'folder' | 'value';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  insertText?: string;
  /** The text the entry replaces (the partial word before the cursor). */
  replace: Range;
}

const PATH_KEYS = new Set(['deps', 'outs', 'sql', 'metrics', 'cwd', 'path']);
const MAX_DIRECTORY_ENTRIES = 500;
const HIDDEN_FOLDERS = new Set(['.git', 'node_modules', '.flowbench']);

export function complete(ws: WorkspaceIndex, file: string, pos: Position): CompletionEntry[] {
  const entry = ws.flow(file);
  if (entry) {
    if (!entry.analysis) return [];
    const lines = ws.lines(file, entry.text);
    return completeFlow(entry.analysis.flow, entry.text, lines.offset(pos), pos);
  }
  const text = ws.text(file);
  if (text === undefined) return [];
  const lines = ws.lines(file, text);
  const offset = lines.offset(pos);
  const before = text.slice(lines.offset({ line: pos.line, character: 0 }), offset);
  const flows = [...new Set(ws.sqlUses(file).map((u) => u.analysis.flow))];
  return flows.flatMap((flow) => completeSql(flow, before, pos));
}

function word(pos: Position, length: number): Range {
  return { start: { line: pos.line, character: pos.character - length }, end: pos };
}

function completeFlow(flow: Flow, text: string, offset: number, pos: Position): CompletionEntry[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const param = /\$\{\s*params\.([\w.-]*)$/.exec(text.slice(lineStart, offset));
  if (param) return paramEntries(flow, word(pos, param[1]!.length));

  const ctx = yamlContextAt(text, offset);
  if (!ctx) return [];
  const replace = word(pos, offset - ctx.prefixStart);
  if (ctx.kind === 'key' && ctx.path.length === 4 && ctx.path[0] === 'steps' && ctx.path[2] === 'tests' && ctx.path[3] === 'columns') {
    // The columns of the step's table as last materialized; none before its first run.
    return (lastProfile(flow.root, ctx.path[1]!)?.columns ?? []).map((c) => ({ label: c.name, kind: 'value', detail: c.type, insertText: `${c.name}: `, replace }));
  }
  if (ctx.kind === 'key') {
    // Directly under `steps`, `sources`, `params`... the user is naming something new.
    if (!schemaAt(ctx.path)) return [];
    return keysAt(ctx.path).map((k) => ({
      label: k.name,
      kind: 'key',
      detail: k.required ? 'required' : undefined,
      documentation: k.description,
      insertText: k.nested === 'scalar' ? `${k.name}: ` : `${k.name}:`,
      replace,
    }));
  }
  const key = ctx.key ?? '';
  const inStep = ctx.path[0] === 'steps' && ctx.path.length === 2;
  if ((inStep && (key === 'needs' || key === 'inputs')) || (ctx.path[0] === 'model' && key === 'step')) {
    const self = inStep ? ctx.path[1] : undefined;
    return [...flow.steps.values()]
      .filter((s) => s.name !== self && (key !== 'inputs' || s.kind === 'sql'))
      .map((s) => ({ label: s.name, kind: 'step', detail: s.kind === 'sql' ? s.sql?.value : s.run?.value, replace }));
  }
  if (key === 'warehouse' && ctx.path.length <= 2) {
    return ['local', ...flow.warehouses.keys()].map((name) => ({ label: name, kind: 'value', detail: flow.warehouses.get(name)?.type.value ?? 'embedded DuckDB', replace }));
  }
  if (PATH_KEYS.has(key)) return fileEntries(flow.root, ctx.prefix, pos, key === 'sql' ? '.sql' : undefined);
  return enumAt([...ctx.path, key]).map((value) => ({ label: value, kind: 'value', documentation: describe(schemaAt([...ctx.path, key])), replace }));
}

function paramEntries(flow: Flow, replace: Range): CompletionEntry[] {
  return [...flow.params.values()].map((p) => ({ label: p.name, kind: 'param', detail: JSON.stringify(p.value), replace }));
}

function completeSql(flow: Flow, before: string, pos: Position): CompletionEntry[] {
  let m = /\bref\(\s*['"]([\w-]*)$/.exec(before);
  if (m) return [...flow.steps.values()].map((s) => ({ label: s.name, kind: 'step', detail: `${flow.name?.value ?? path.basename(flow.file)}: ${s.kind === 'sql' ? s.sql?.value : s.run?.value}`, replace: word(pos, m![1]!.length) }));
  m = /\bsource\(\s*['"]([\w-]*)$/.exec(before);
  if (m) return [...flow.sources.values()].map((s) => ({ label: s.name, kind: 'source', detail: [...s.tables.keys()].join(', '), replace: word(pos, m![1]!.length) }));
  m = /\bsource\(\s*['"]([\w-]+)['"]\s*,\s*['"]([\w-]*)$/.exec(before);
  if (m) {
    const tables = flow.sources.get(m[1]!)?.tables.values() ?? [];
    return [...tables].map((t) => ({ label: t.name, kind: 'table', detail: t.path?.value, replace: word(pos, m![2]!.length) }));
  }
  m = /\{\{\s*params\.([\w.-]*)$/.exec(before);
  if (m) return paramEntries(flow, word(pos, m[1]!.length));
  return [];
}

/** Files and folders next to what has been typed so far, relative to the flow folder. */
function fileEntries(root: string, typed: string, pos: Position, extension?: string): CompletionEntry[] {
  const slash = typed.lastIndexOf('/');
  const folder = path.resolve(root, typed.slice(0, slash + 1));
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(folder, { withFileTypes: true }).slice(0, MAX_DIRECTORY_ENTRIES);
  } catch {
    return [];
  }
  const replace = word(pos, typed.length - slash - 1);
  return names
    .filter((d) => !HIDDEN_FOLDERS.has(d.name))
    .filter((d) => d.isDirectory() || !extension || d.name.endsWith(extension))
    .map((d) =>
      d.isDirectory()
        ? { label: d.name + '/', kind: 'folder' as const, replace }
        : { label: d.name, kind: 'file' as const, replace },
    );
}
