import type { Position, Range } from './model';

/** Maps string offsets (UTF-16 code units, as JS strings index) to zero-based line/character positions. */
export class LineIndex {
  private readonly starts: number[] = [0];
  /** The line of the last position asked for: parsing asks in file order, so the next is mostly on it or the one after. */
  private hint = 0;

  constructor(readonly text: string) {
    if (!text.includes('\r')) {
      // Searching for the line feeds is several times faster than looking at every character.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.starts;
    const last = starts.length - 1;
    let line = this.hint;
    if (starts[line]! > at || (line < last && starts[line + 1]! <= at)) {
      if (line < last && starts[line + 1]! <= at && (line + 1 === last || starts[line + 2]! > at)) line++;
      else {
        let lo = 0;
        let hi = last;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= at) lo = mid;
          else hi = mid - 1;
        }
        line = lo;
      }
      this.hint = line;
    }
    return { line, character: at - starts[line]! };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    return Math.min(this.starts[line]! + pos.character, this.text.length);
  }
}

export const emptyRange: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function containsPosition(range: Range, pos: Position): boolean {
  const afterStart = pos.line > range.start.line || (pos.line === range.start.line && pos.character >= range.start.character);
  const beforeEnd = pos.line < range.end.line || (pos.line === range.end.line && pos.character <= range.end.character);
  return afterStart && beforeEnd;
}
