// Errors a SQL step can end with. Every one carries a message a user can act on; where the cause sits
// in a file (the SQL file, or the flow file for sources and profiles) the message starts with
// `path:line:col` and `location` says the same for the editor.
import { relative } from 'node:path';
import type { SourceLocation } from '../engine/events';
import type { Position } from '../flow/model';

export class SqlStepError extends Error {
  override name = 'SqlStepError';
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
  }
}

/** Thrown when the AbortSignal of a step fired; the name follows the DOM convention for aborted work. */
export class SqlStepCancelled extends Error {
  override name = 'AbortError';
  constructor(step: string) {
    super(`${step}: cancelled`);
  }
}

/**
 * A warehouse's complaint about the rendered SQL of a step, before it is mapped back to the SQL file.
 * `offset` is a UTF-16 offset into the rendered SQL, when the warehouse said where.
 */
export class RenderedSqlError extends Error {
  constructor(
    readonly summary: string,
    readonly offset?: number,
  ) {
    super(summary);
  }
}

/** `message` prefixed with `file:line:col` (1-based, file relative to `root`), plus the line it points at. */
export function errorAt(root: string, file: string, text: string | undefined, pos: Position, message: string): SqlStepError {
  const where = `${displayPath(root, file)}:${pos.line + 1}:${pos.character + 1}`;
  const excerpt = text === undefined ? '' : lineExcerpt(text, pos);
  return new SqlStepError(`${where}: ${message}${excerpt}`, { file, line: pos.line + 1, column: pos.character + 1 });
}

/** `message` about a whole file, when nothing points at a place in it. */
export function errorIn(root: string, file: string, message: string): SqlStepError {
  return new SqlStepError(`${displayPath(root, file)}: ${message}`, { file, line: 1 });
}

export function displayPath(root: string, path: string): string {
  return relative(root, path) || path;
}

function lineExcerpt(text: string, pos: Position): string {
  const line = text.split(/\r?\n|\r/)[pos.line];
  if (line === undefined) return '';
  const gutter = String(pos.line + 1);
  const pad = ' '.repeat(gutter.length);
  const caretPad = line.slice(0, pos.character).replace(/[^\t]/g, ' ');
  return `\n  ${gutter} | ${line}\n  ${pad} | ${caretPad}^`;
}
