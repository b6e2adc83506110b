// Reading DuckDB's error messages. DuckDB reports where an error is only as text, a `LINE n:` excerpt
// of the query with a caret under the spot (long lines shown as a window between `...`), so the
// position is recovered by finding that excerpt in the query we sent.

export interface DuckDbErrorInfo {
  /** The message on one line, without the excerpt. */
  summary: string;
  /** UTF-16 offset into the query, when DuckDB pointed somewhere. */
  offset?: number;
}

const EXCERPT = /\n*LINE (\d+): ([^\n]*)\n( *)\^\s*$/;
const ELLIPSIS = '...';

export function explainDuckDbError(message: string, query: string): DuckDbErrorInfo {
  const text = message.replace(/^Failed to extract statements: /, '');
  const match = EXCERPT.exec(text);
  const summary = oneLine(match ? text.slice(0, match.index) : text);
  if (!match) return { summary };
  const lineNumber = Number(match[1]) - 1;
  let shown = match[2]!;
  let caret = match[3]!.length - `LINE ${match[1]}: `.length;
  if (shown.startsWith(ELLIPSIS)) {
    shown = shown.slice(ELLIPSIS.length);
    caret -= ELLIPSIS.length;
  }
  if (shown.endsWith(ELLIPSIS)) shown = shown.slice(0, -ELLIPSIS.length);
  const lines = query.split('\n');
  const line = lines[lineNumber];
  if (line === undefined || caret < 0) return { summary };
  const found = line.indexOf(shown.trimEnd());
  const column = Math.min((found < 0 ? 0 : found) + caret, line.length);
  const lineStart = lines.slice(0, lineNumber).reduce((sum, l) => sum + l.length + 1, 0);
  return { summary, offset: lineStart + column };
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** The process holding the database file, when opening failed because another process has it. */
export function lockHolder(message: string): { pid?: number; program?: string } | undefined {
  if (!/Could not set lock on file/i.test(message)) return undefined;
  const held = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  return held ? { program: held[1], pid: Number(held[2]) } : {};
}
