// Reading Snowflake's error messages. Compilation errors say where as text, "line N at position M"
// (N 1-based, M 0-based, in the statement we sent), which becomes an offset into that statement.

export interface SnowflakeErrorInfo {
  /** The message on one line. */
  summary: string;
  /** UTF-16 offset into the statement, when Snowflake pointed somewhere. */
  offset?: number;
}

const WHERE = /line (\d+) at position (\d+)/;

export function explainSnowflakeError(message: string, code: string | undefined, statement: string): SnowflakeErrorInfo {
  const text = message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const summary = code ? `${text} (Snowflake error ${code})` : text;
  const where = WHERE.exec(message);
  if (!where) return { summary };
  const lines = statement.split('\n');
  const lineIndex = Number(where[1]) - 1;
  const line = lines[lineIndex];
  if (line === undefined) return { summary };
  const lineStart = lines.slice(0, lineIndex).reduce((sum, l) => sum + l.length + 1, 0);
  return { summary, offset: lineStart + Math.min(Number(where[2]), line.length) };
}
