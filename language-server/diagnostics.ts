// Which diagnostics each file shows: the validator's problems from every flow that reads the file, plus
// SQL syntax problems for SQL step files (checked once per dialect the file is used with).
import type { Diagnostic } from 'vscode-languageserver/node';
import type { Problem } from '../core/flow/model';
import { checkSqlSyntax, type SqlDialect } from '../core/sql/syntax';
import { templateOf } from '../core/analysis/locate';
import { MAX_SQL_FEATURE_CHARS, type WorkspaceIndex } from '../core/analysis/workspace';
import { scanTemplate, type TemplateCall, type TemplateScan } from '../core/sql/template';
import { toDiagnostic } from './convert';

export const SOURCE = 'flowbench';

export class DiagnosticsPublisher {
  /** Last payload sent per file, so unchanged diagnostics are not sent again. */
  private readonly sent = new Map<string, string>();
  /** Bumped per file on every computation; an async result from an older one is dropped. */
  private readonly generation = new Map<string, number>();
  /**
   * What a SQL file's last published diagnostics were computed from. After a flow edit every SQL file the
   * flow names is republished; one whose text, flow problems and dialects are all unchanged would get the
   * same diagnostics again, so it is skipped (hundreds in a large flow).
   */
  private readonly shown = new Map<string, SqlState>();
  /** Each flow's problems by file, made once per analysis rather than filtered per SQL file. */
  private readonly byFile = new WeakMap<Problem[], Map<string, Problem[]>>();

  constructor(
    private readonly ws: WorkspaceIndex,
    private readonly send: (file: string, diagnostics: Diagnostic[]) => void,
  ) {}

  /**
   * Publishes the files' diagnostics; validator problems at once, SQL syntax when the parser answers.
   * `edited` files are always sent, even unchanged: the client is waiting to see the result of its edit. */
  async publish(files: Iterable<string>, edited: ReadonlySet<string> = new Set()): Promise<void> {
    const pending: Promise<void>[] = [];
    const sqlFiles: { file: string; gen: number }[] = [];
    for (const file of files) {
      const gen = (this.generation.get(file) ?? 0) + 1;
      this.generation.set(file, gen);
      if (this.ws.sqlUses(file).length === 0) this.emit(file, this.flowProblems(file), edited.has(file));
      else sqlFiles.push({ file, gen });
    }
    // Flow diagnostics need no parser: let them go out before the SQL work starts.
    if (sqlFiles.length > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const { file, gen } of sqlFiles) {
      const uses = this.ws.sqlUses(file);
      if (this.generation.get(file) !== gen || uses.length === 0) continue;
      const flowDiagnostics = this.flowProblems(file);
      const dialects = [...new Set(uses.map((u) => u.dialect))];
      const state: SqlState = { text: this.ws.text(file), flow: JSON.stringify(flowDiagnostics), dialects: dialects.join(), flowFile: uses[0]!.flow.file };
      if (!edited.has(file) && sameState(this.shown.get(file), state)) continue;
      pending.push(
        this.syntaxDiagnostics(file, dialects, state.flowFile).then((syntax) => {
          if (this.generation.get(file) !== gen) return;
          this.emit(file, [...flowDiagnostics, ...syntax], edited.has(file));
          this.shown.set(file, state);
        }),
      );
    }
    await Promise.all(pending);
  }

  /**
   * Immediate diagnostics for an edited SQL file, before its flows are re-analysed: the new syntax check
   * plus the validator's last problems for the file moved with the template calls they point into. Only
   * when the calls (function and arguments, in order) are unchanged, so the validator would say the same;
   * otherwise returns false and the full analysis publishes. Returns whether it published.
   */
  async publishSqlEdit(file: string): Promise<boolean> {
    const text = this.ws.text(file);
    const uses = this.ws.sqlUses(file);
    if (text === undefined || uses.length === 0 || text.length > MAX_SQL_FEATURE_CHARS) return false;
    const scan = scanTemplate(text);
    const lines = this.ws.lines(file, text);
    const moved: Diagnostic[] = [];
    for (const use of uses) {
      const before = use.analysis.sql.get(use.step.name);
      if (!before || !sameCalls(before.template.calls, scan.calls)) return false;
      for (const p of use.flow.problems) {
        if (p.file !== file) continue;
        const start = before.lines.offset(p.range.start);
        const end = before.lines.offset(p.range.end);
        const i = before.template.calls.findIndex((c) => start >= c.start && end <= c.end);
        if (i < 0) return false;
        const shift = scan.calls[i]!.start - before.template.calls[i]!.start;
        moved.push(toDiagnostic({ ...p, range: lines.range(start + shift, end + shift) }, SOURCE, use.flow.file));
      }
    }
    const gen = (this.generation.get(file) ?? 0) + 1;
    this.generation.set(file, gen);
    const syntax = await this.syntaxDiagnostics(file, [...new Set(uses.map((u) => u.dialect))], uses[0]!.flow.file, scan);
    if (this.generation.get(file) !== gen) return true;
    const unique = new Map(moved.map((d) => [JSON.stringify([d.code, d.range, d.message]), d]));
    this.emit(file, [...unique.values(), ...syntax], true);
    return true;
  }

  private flowProblems(file: string): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const flowFile of this.ws.readersOf(file)) {
      for (const p of this.problemsIn(flowFile, file)) {
        const key = problemKey(p);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(toDiagnostic(p, SOURCE, flowFile));
      }
    }
    return out;
  }

  private problemsIn(flowFile: string, file: string): Problem[] {
    const problems = this.ws.flow(flowFile)?.problems;
    if (!problems) return [];
    let byFile = this.byFile.get(problems);
    if (!byFile) {
      byFile = new Map();
      for (const p of problems) {
        const list = byFile.get(p.file);
        if (list) list.push(p);
        else byFile.set(p.file, [p]);
      }
      this.byFile.set(problems, byFile);
    }
    return byFile.get(file) ?? [];
  }

  private async syntaxDiagnostics(file: string, dialects: SqlDialect[], flowFile: string, scan?: TemplateScan): Promise<Diagnostic[]> {
    const text = this.ws.text(file);
    if (text === undefined) return [];
    const lines = this.ws.lines(file, text);
    const template = scan ?? templateOf(this.ws, file, text);
    const results = await Promise.all(dialects.map((d) => checkSqlSyntax(text, d, template)));
    return results.flat().map((p) =>
      toDiagnostic(
        { code: p.code, severity: p.severity, message: p.message, file, range: lines.range(p.start, p.end) },
        p.dialect === p.parser ? `${SOURCE} (${p.dialect})` : `${SOURCE} (${p.parser} parser, ${p.dialect} target)`,
        flowFile,
      ),
    );
  }

  /** Callers that know what the diagnostics were computed from record it in `shown` after this. */
  private emit(file: string, diagnostics: Diagnostic[], always: boolean): void {
    this.shown.delete(file);
    const payload = JSON.stringify(diagnostics);
    if (!always && (this.sent.get(file) ?? '[]') === payload) return;
    this.sent.set(file, payload);
    this.send(file, diagnostics);
  }
}

interface SqlState {
  text: string | undefined;
  /** The flow problems shown in the file, as sent. */
  flow: string;
  dialects: string;
  /** The flow whose settings the diagnostics name. */
  flowFile: string;
}

function sameState(a: SqlState | undefined, b: SqlState): boolean {
  return a !== undefined && a.text === b.text && a.flow === b.flow && a.dialects === b.dialects && a.flowFile === b.flowFile;
}

function sameCalls(a: TemplateCall[], b: TemplateCall[]): boolean {
  return a.length === b.length && a.every((c, i) => c.fn === b[i]!.fn && c.args.join('\0') === b[i]!.args.join('\0'));
}

function problemKey(p: Problem): string {
  return `${p.code}:${p.range.start.line}:${p.range.start.character}:${p.range.end.line}:${p.range.end.character}:${p.message}`;
}
