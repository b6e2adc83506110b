// Where each line of the runs table sits: with grouping by flow, a group's header line comes before its rows,
// so line numbers (what the virtualizer counts) and row positions (what the host's result counts) differ.
// And which lines are rendered: those on screen and more ahead of a scroll (leadingRange).
import type { Group } from './contract';

export type Line = { kind: 'group'; group: Group } | { kind: 'row'; position: number };

export interface Lines {
  count: number;
  at(line: number): Line;
  lineOf(position: number): number;
}

export function linesOf(total: number, groups: readonly Group[]): Lines {
  if (groups.length === 0) return { count: total, at: (line) => ({ kind: 'row', position: line }), lineOf: (position) => position };
  // Group g's header is at line groups[g].start + g; its rows follow.
  const headerLine = (g: number) => groups[g]!.start + g;
  const groupOfLine = (line: number) => {
    let lo = 0;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (headerLine(mid) <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const groupOfPosition = (position: number) => {
    let lo = 0;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (groups[mid]!.start <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    count: total + groups.length,
    at(line) {
      const g = groupOfLine(line);
      const offset = line - headerLine(g);
      return offset === 0 ? { kind: 'group', group: groups[g]! } : { kind: 'row', position: groups[g]!.start + offset - 1 };
    },
    lineOf: (position) => position + groupOfPosition(position) + 1,
  };
}

/** Of the lines rendered beyond the screen, those kept behind a scroll. */
const BEHIND = 2;

/**
 * The lines to render (the virtualizer's rangeExtractor): those on screen and 2 × overscan more, kept behind the scroll by BEHIND and ahead of it
 * by the rest (evenly when not scrolling). A frame paints the scroll position it got before the rows for it
 * are rendered (the scroll event comes a frame later, and React renders after it): with the even overscan of
 * 8, every frame of a 7-rows-a-frame scroll showed ~5 blank lines at the edge it moved to. The count stays
 * that of the even split, so slots (line modulo the lines rendered) stay put.
 */
export function leadingRange(range: { startIndex: number; endIndex: number; overscan: number; count: number }, direction: 'forward' | 'backward' | null): number[] {
  const { startIndex, endIndex, overscan, count } = range;
  const before = direction === 'forward' ? BEHIND : direction === 'backward' ? 2 * overscan - BEHIND : overscan;
  const length = Math.min(count, endIndex - startIndex + 1 + 2 * overscan);
  const first = Math.max(0, Math.min(startIndex - before, count - length));
  return Array.from({ length }, (_, i) => first + i);
}
