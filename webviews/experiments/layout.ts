// Where each line of the runs table sits: with grouping by flow, a group's header line comes before its rows,
// so line numbers (what the virtualizer counts) and row positions (what the host's result counts) differ.
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
