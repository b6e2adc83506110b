// One call from text to everything the CLI, runner, language server and extension need:
// the model, the SQL files it names, the graph and every problem, in one pass.
import { relative, resolve } from 'node:path';
import type { Flow, Problem } from './model';
import { diskHost, type FileHost } from './host';
import { buildGraph, type FlowGraph, type SqlFileInfo } from './graph';
import { parseFlow } from './parse';
import { resolveIn } from './resolve-in';
import { LineIndex } from './positions';
import { validateFlow } from './validate';
import { checkSweeps } from './sweep-check';
import type { YamlTree } from './yaml-tree';
import { scanTemplate, type TemplateScan } from '../sql/template';

export type { SqlFileInfo } from './graph';

export interface FlowAnalysis {
  flow: Flow;
  graph: FlowGraph;
  /** SQL files of SQL steps that could be read, by step name. */
  sql: Map<string, SqlFileInfo>;
  problems: Problem[];
}

/** `tree`: the YAML tree of `text`, when the caller has already read it. */
export function analyzeFlow(file: string, text: string, host: FileHost = diskHost, tree?: YamlTree): FlowAnalysis {
  const { flow, problems } = parseFlow(text, file, tree);
  const sql = new Map<string, SqlFileInfo>();
  for (const step of flow.steps.values()) {
    if (!step.sql) continue;
    const path = resolveIn(flow.root, step.sql.value);
    const sqlText = host.readText(path);
    if (sqlText === undefined) continue;
    sql.set(step.name, { step: step.name, file: path, ...sqlFacts(path, sqlText) });
  }
  const graph = buildGraph(flow, sql);
  problems.push(...validateFlow({ flow, graph, sql, host }), ...checkSweeps(flow));
  return { flow, graph, sql, problems: sortProblems(problems, flow.file) };
}

/**
 * A SQL file's template scan and line index, kept per path while its text stays the same: an edit to the
 * flow re-analyses every SQL file it names, and they rarely changed. Judged by the text itself, so a file
 * changed on disk or in an editor is scanned again whatever told us.
 */
const scanned = new Map<string, { text: string; template: TemplateScan; lines: LineIndex }>();
const SCANNED_LIMIT = 4096;
const SCANNED_MAX_CHARS = 1 << 20;

function sqlFacts(path: string, text: string): { text: string; template: TemplateScan; lines: LineIndex } {
  const known = scanned.get(path);
  if (known && known.text === text) return known;
  const facts = { text, template: scanTemplate(text), lines: new LineIndex(text) };
  if (text.length > SCANNED_MAX_CHARS) return facts;
  if (scanned.size >= SCANNED_LIMIT) scanned.clear();
  scanned.set(path, facts);
  return facts;
}

/** Reads a flow file from disk; an unreadable file yields an empty flow with one problem. */
export function loadFlow(file: string, host: FileHost = diskHost): FlowAnalysis {
  const path = resolve(file);
  const text = host.readText(path);
  if (text !== undefined) return analyzeFlow(path, text, host);
  const analysis = analyzeFlow(path, '', host);
  analysis.problems = [{
    code: 'FB003',
    severity: 'error',
    message: `Cannot read flow file '${file}': check the path.`,
    file: path,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  }];
  return analysis;
}

/** The flow file's problems first, then each SQL file's; by position within a file. */
function sortProblems(problems: Problem[], flowFile: string): Problem[] {
  const rank = (p: Problem) => (p.file === flowFile ? '' : p.file);
  return problems.sort((a, b) =>
    rank(a).localeCompare(rank(b)) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

export function hasErrors(problems: Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** `path:line:col: severity CODE message`, 1-based like compilers print, path relative to `cwd`. */
export function formatProblem(p: Problem, cwd: string = process.cwd()): string {
  const rel = relative(cwd, p.file) || p.file;
  return `${rel}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity} ${p.code} ${p.message}`;
}
