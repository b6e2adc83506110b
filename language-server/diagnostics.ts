// Which diagnostics each file shows: the validator's problems from every flow that reads the file, plus
// SQL syntax problems for SQL step files (checked once per dialect the file is used with).
import type { Diagnostic } from 'vscode-languageserver/node';
import type { Problem } from '../core/flow/model';
import { checkSqlSyntax, type SqlDialect } from '../core/sql/syntax';
import { templateOf } from '../core/analysis/locate';
import type { WorkspaceIndex } from '../core/analysis/workspace';
import { toDiagnostic } from './convert';

export const SOURCE = 'flowbench';

export class DiagnosticsPublisher {
  /** Last payload sent per file, so unchanged diagnostics are not sent again. */
  private readonly sent = new Map<string, string>();
  /** Bumped per file on every computation; an async result from an older one is dropped. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly ws: WorkspaceIndex,
    private readonly send: (file: string, diagnostics: Diagnostic[]) => void,
  ) {}

  /** Publishes the files' diagnostics; validator problems at once, SQL syntax when the parser answers. */
  /** `edited` files are always sent, even unchanged: the client is waiting to see the result of its edit. */
  async publish(files: Iterable<string>, edited: ReadonlySet<string> = new Set()): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const file of files) {
      const gen = (this.generation.get(file) ?? 0) + 1;
      this.generation.set(file, gen);
      const flowDiagnostics = this.flowProblems(file);
      const uses = this.ws.sqlUses(file);
      if (uses.length === 0) {
        this.emit(file, flowDiagnostics, edited.has(file));
        continue;
      }
      pending.push(
        this.syntaxDiagnostics(file, [...new Set(uses.map((u) => u.dialect))], uses[0]!.flow.file).then((syntax) => {
          if (this.generation.get(file) === gen) this.emit(file, [...flowDiagnostics, ...syntax], edited.has(file));
        }),
      );
    }
    await Promise.all(pending);
  }

  private flowProblems(file: string): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const flowFile of this.ws.readersOf(file)) {
      for (const p of this.ws.flow(flowFile)?.problems ?? []) {
        if (p.file !== file) continue;
        const key = problemKey(p);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(toDiagnostic(p, SOURCE, flowFile));
      }
    }
    return out;
  }

  private async syntaxDiagnostics(file: string, dialects: SqlDialect[], flowFile: string): Promise<Diagnostic[]> {
    const text = this.ws.text(file);
    if (text === undefined) return [];
    const lines = this.ws.lines(file, text);
    const template = templateOf(this.ws, file, text);
    const results = await Promise.all(dialects.map((d) => checkSqlSyntax(text, d, template)));
    return results.flat().map((p) =>
      toDiagnostic(
        { code: p.code, severity: p.severity, message: p.message, file, range: lines.range(p.start, p.end) },
        p.dialect === p.parser ? `${SOURCE} (${p.dialect})` : `${SOURCE} (${p.parser} parser, ${p.dialect} target)`,
        flowFile,
      ),
    );
  }

  private emit(file: string, diagnostics: Diagnostic[], always: boolean): void {
    const payload = JSON.stringify(diagnostics);
    if (!always && (this.sent.get(file) ?? '[]') === payload) return;
    this.sent.set(file, payload);
    this.send(file, diagnostics);
  }
}

function problemKey(p: Problem): string {
  return `${p.code}:${p.range.start.line}:${p.range.start.character}:${p.range.end.line}:${p.range.end.character}:${p.message}`;
}
