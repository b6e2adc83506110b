// The language server's picture of a workspace: every flow file, analysed, plus which files each flow
// touches (its SQL files), so a change to any file re-analyses exactly the flows that read it.
import type { FlowAnalysis } from '../flow/analyze';
import type { FileHost } from '../flow/host';
import { resolveIn } from '../flow/resolve-in';
import type { Flow, Problem, Step } from '../flow/model';
import { emptyRange, LineIndex } from '../flow/positions';
import type { SqlDialect } from '../sql/syntax';

/** Past this size a flow file is not analysed as you type: it is almost certainly not a hand-written flow. */
export const MAX_FLOW_CHARS = 256 * 1024;
export const FLOW_TOO_LARGE = 'FB604';
/** Past this size a SQL file gets no template features (navigation, ref edges): it is generated, not written. */
export const MAX_SQL_FEATURE_CHARS = 256 * 1024;
export const FLOW_TOO_SLOW = 'FB605';

export interface FlowEntry {
  file: string;
  text: string;
  /** Absent when the file is too large to analyse. */
  analysis?: FlowAnalysis;
  /** Problems of this flow, including the size notice for an unanalysed file. */
  problems: Problem[];
  /** The flow file and every SQL file its steps name. */
  files: Set<string>;
  /** SQL file -> the steps whose `sql:` it is. */
  sqlSteps: Map<string, Step[]>;
}

export interface SqlUse {
  flow: FlowEntry;
  analysis: FlowAnalysis;
  step: Step;
  dialect: SqlDialect;
}

export function isFlowFile(file: string): boolean {
  return /\.flow\.ya?ml$/.test(file);
}

export class WorkspaceIndex {
  private readonly flows = new Map<string, FlowEntry>();
  /** Any file -> flow files that read it. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly lineIndexes = new Map<string, LineIndex>();

  constructor(readonly host: FileHost) {}

  /** Records a flow file's analysis; without one (too large, too slow) `notice` says why. */
  set(file: string, text: string, analysis: FlowAnalysis | undefined, notice?: Problem): FlowEntry {
    const files = new Set([file]);
    const sqlSteps = new Map<string, Step[]>();
    for (const step of analysis?.flow.steps.values() ?? []) {
      if (!step.sql) continue;
      const sqlFile = resolveIn(analysis!.flow.root, step.sql.value);
      files.add(sqlFile);
      sqlSteps.set(sqlFile, [...(sqlSteps.get(sqlFile) ?? []), step]);
    }
    const problems = [...(analysis?.problems ?? []), ...(notice ? [notice] : [])];
    const entry: FlowEntry = { file, text, analysis, problems, files, sqlSteps };
    this.unlink(file);
    this.flows.set(file, entry);
    for (const touched of files) {
      let set = this.readers.get(touched);
      if (!set) this.readers.set(touched, (set = new Set()));
      set.add(file);
    }
    return entry;
  }

  remove(file: string): void {
    this.unlink(file);
    this.flows.delete(file);
  }

  private unlink(file: string): void {
    for (const touched of this.flows.get(file)?.files ?? []) this.readers.get(touched)?.delete(file);
  }

  flow(file: string): FlowEntry | undefined {
    return this.flows.get(file);
  }

  allFlows(): FlowEntry[] {
    return [...this.flows.values()];
  }

  /** Flow files that read `file` (a flow is its own reader). */
  readersOf(file: string): string[] {
    return [...(this.readers.get(file) ?? [])];
  }

  /** Every step, across flows, whose `sql:` is this file, with the dialect it targets. */
  sqlUses(file: string): SqlUse[] {
    const uses: SqlUse[] = [];
    for (const flowFile of this.readersOf(file)) {
      const flow = this.flows.get(flowFile);
      const analysis = flow?.analysis;
      if (!flow || !analysis) continue;
      for (const step of flow.sqlSteps.get(file) ?? []) uses.push({ flow, analysis, step, dialect: dialectOf(analysis.flow, step) });
    }
    return uses;
  }

  /** Current text of any file, preferring unsaved editor buffers. */
  text(file: string): string | undefined {
    return this.host.readText(file);
  }

  /** Line index for a file's current text; cached until the text changes. */
  lines(file: string, text: string): LineIndex {
    const cached = this.lineIndexes.get(file);
    if (cached && cached.text === text) return cached;
    const index = new LineIndex(text);
    this.lineIndexes.set(file, index);
    return index;
  }

  forget(file: string): void {
    this.lineIndexes.delete(file);
  }
}

/** A SQL step's dialect: its warehouse profile's type; `local` or an unknown profile means embedded DuckDB. */
export function dialectOf(flow: Flow, step: Step): SqlDialect {
  const profile = step.warehouse?.value ?? flow.warehouse?.value;
  return profile && flow.warehouses.get(profile)?.type.value === 'snowflake' ? 'snowflake' : 'duckdb';
}

/** Whether a flow file is small enough to analyse as you type. */
export function analysable(text: string): boolean {
  return text.length <= MAX_FLOW_CHARS;
}

export function tooLargeNotice(file: string, text: string): Problem {
  return {
    code: FLOW_TOO_LARGE,
    severity: 'warning',
    message: `Flow file not analysed: it has ${text.length} characters (limit ${MAX_FLOW_CHARS}). Flow files are meant to be written by hand; move data into files the flow references.`,
    file,
    range: emptyRange,
  };
}

export function tooSlowNotice(file: string, budgetMs: number): Problem {
  return {
    code: FLOW_TOO_SLOW,
    severity: 'warning',
    message: `Flow file not analysed: reading it took longer than ${budgetMs} ms, which usually means badly broken YAML. Fix the indentation and brackets near your last edit.`,
    file,
    range: emptyRange,
  };
}
