// Counts pairs of drawn edges that cross, from their polylines: the layout's quality figure in the graph
// bench and its tests (edges that share an end node touch there and do not count).
import type { LaidOutGraph, Point } from '../../core/analysis/graph-types';

const side = (a: Point, b: Point, c: Point) => Math.sign((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
const cross = (a: Point, b: Point, c: Point, d: Point) => side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0;

export function edgeCrossings(graph: LaidOutGraph): number {
  const segments = graph.edges.map((e) => ({ e, parts: e.points.slice(1).map((p, i) => [e.points[i]!, p] as const) }));
  let count = 0;
  for (let i = 0; i < segments.length; i++)
    for (let j = i + 1; j < segments.length; j++) {
      const a = segments[i]!;
      const b = segments[j]!;
      if (a.e.from === b.e.from || a.e.from === b.e.to || a.e.to === b.e.from || a.e.to === b.e.to) continue;
      if (a.parts.some(([p, q]) => b.parts.some(([r, s]) => cross(p, q, r, s)))) count++;
    }
  return count;
}
