// A layered (Sugiyama) layout over flat arrays, for graphs too big for dagre in the time the panel has.
// Why hand-written: on the bench's generated 500-step flow (510 nodes, 779 edges, ~2,000 nodes once long
// edges are split) @dagrejs/dagre 3.1 took 1.5–2.5 s with its crossing sweeps already off, most of it in
// graphlib's string-keyed maps and the garbage they make (profile: setEdge/edge/nodeEdges/GC), and elkjs's
// layered algorithm 2–3× that; this one does the same four phases on integer indices in tens of ms
// (test/bench/graph.bench.ts prints both side by side), so it can run in the extension host. graph-layout.ts
// still hands small graphs to dagre, whose ordering and positioning are the better-tested ones.
// Phases: depth-first cycle breaking (back edges reversed); longest-path ranks with sources pulled down to
// their first consumer; long edges split into dummy nodes; barycenter ordering sweeps keeping the order
// with the fewest crossings (counted exactly per layer pair); x by alternating sweeps that put each layer at
// its neighbours' mean, solved exactly under the no-overlap constraints (weighted isotonic regression, so
// boxes never overlap). Deterministic: no randomness, stable sorts.
import type { Point } from './graph-types';

export interface LayeredSpacing {
  nodeHeight: number;
  nodesep: number;
  edgesep: number;
  ranksep: number;
  margin: number;
}

export interface LayeredResult {
  /** Per input node: its centre. */
  centers: Point[];
  /** Per input edge: the polyline from `from`'s border to `to`'s. */
  points: Point[][];
  width: number;
  height: number;
}

const ORDER_SWEEPS = 24;
const ORDER_PATIENCE = 4;
const PLACE_SWEEPS = 8;
/** A dummy pulls harder than a box: long edges come out straight. */
const DUMMY_WEIGHT = 4;

/** `widths[i]`: node i's width; `edges`: [from, to] index pairs, no self-edges, no duplicates. */
export function layeredLayout(widths: readonly number[], edges: readonly (readonly [number, number])[], spacing: LayeredSpacing): LayeredResult {
  const n = widths.length;
  const reversed = backEdges(n, edges);
  const dag = edges.map(([a, b], i) => (reversed[i] ? ([b, a] as const) : ([a, b] as const)));
  const rank = ranks(n, dag);

  // Long edges become chains through one dummy per rank crossed.
  const vRank = rank.slice();
  const vWidth = widths.slice();
  const chains: number[][] = [];
  for (const [a, b] of dag) {
    const chain = [a];
    for (let r = rank[a]! + 1; r < rank[b]!; r++) {
      chain.push(vRank.length);
      vRank.push(r);
      vWidth.push(0);
    }
    chain.push(b);
    chains.push(chain);
  }
  const total = vRank.length;
  const up: number[][] = Array.from({ length: total }, () => []);
  const down: number[][] = Array.from({ length: total }, () => []);
  for (const chain of chains)
    for (let k = 1; k < chain.length; k++) {
      down[chain[k - 1]!]!.push(chain[k]!);
      up[chain[k]!]!.push(chain[k - 1]!);
    }

  const layers = order(n, vRank, up, down);
  const x = place(layers, vWidth, n, up, down, spacing);

  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < total; v++) {
    minX = Math.min(minX, x[v]! - vWidth[v]! / 2);
    maxX = Math.max(maxX, x[v]! + vWidth[v]! / 2);
  }
  if (total === 0) minX = maxX = 0;
  const shift = spacing.margin - minX;
  const top = (r: number) => spacing.margin + r * (spacing.nodeHeight + spacing.ranksep);
  const centers = Array.from({ length: n }, (_, v) => ({ x: x[v]! + shift, y: top(vRank[v]!) + spacing.nodeHeight / 2 }));
  const points = chains.map((chain, i) => {
    const line = chain.map((v, k) => {
      const y = k === 0 ? top(vRank[v]!) + spacing.nodeHeight : k === chain.length - 1 ? top(vRank[v]!) : top(vRank[v]!) + spacing.nodeHeight / 2;
      return { x: x[v]! + shift, y };
    });
    return reversed[i] ? line.reverse() : line;
  });
  const ranksUsed = layers.length;
  return {
    centers,
    points,
    width: maxX - minX + 2 * spacing.margin,
    height: ranksUsed ? top(ranksUsed - 1) + spacing.nodeHeight + spacing.margin : 2 * spacing.margin,
  };
}

/** Edges that close a cycle in a depth-first walk from each node in input order; reversing them leaves a DAG. */
function backEdges(n: number, edges: readonly (readonly [number, number])[]): boolean[] {
  const out: number[][] = Array.from({ length: n }, () => []);
  edges.forEach(([a], i) => out[a]!.push(i));
  const state = new Uint8Array(n); // 0 unseen, 1 on the stack, 2 done
  const reversed = edges.map(() => false);
  for (let root = 0; root < n; root++) {
    if (state[root]) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k === out[v]!.length) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      top[1] = k + 1;
      const e = out[v]![k]!;
      const w = edges[e]![1];
      if (state[w] === 1) reversed[e] = true;
      else if (state[w] === 0) {
        state[w] = 1;
        stack.push([w, 0]);
      }
    }
  }
  return reversed;
}

/** Longest path from the sources, then each node with nothing above it moved down next to its first consumer. */
function ranks(n: number, dag: readonly (readonly [number, number])[]): number[] {
  const indeg = new Int32Array(n);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of dag) {
    out[a]!.push(b);
    indeg[b]!++;
  }
  const rank = new Array<number>(n).fill(0);
  const topo: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) topo.push(v);
  const hasParent = Uint8Array.from(indeg, (d) => (d > 0 ? 1 : 0));
  for (let i = 0; i < topo.length; i++) {
    const v = topo[i]!;
    for (const w of out[v]!) {
      rank[w] = Math.max(rank[w]!, rank[v]! + 1);
      if (--indeg[w]! === 0) topo.push(w);
    }
  }
  for (let i = topo.length - 1; i >= 0; i--) {
    const v = topo[i]!;
    if (hasParent[v] || out[v]!.length === 0) continue;
    let first = Infinity;
    for (const w of out[v]!) first = Math.min(first, rank[w]!);
    rank[v] = first - 1;
  }
  const min = n ? Math.min(...rank) : 0;
  return rank.map((r) => r - min);
}

/** Each rank's nodes left to right: depth-first first placement, then barycenter sweeps, best kept. */
function order(real: number, rank: readonly number[], up: readonly number[][], down: readonly number[][]): number[][] {
  const depth = rank.length ? Math.max(...rank) + 1 : 0;
  let layers: number[][] = Array.from({ length: depth }, () => []);
  const seen = new Uint8Array(rank.length);
  for (let root = 0; root < real; root++) {
    if (seen[root]) continue;
    const stack = [root];
    seen[root] = 1;
    while (stack.length) {
      const v = stack.pop()!;
      layers[rank[v]!]!.push(v);
      const next = down[v]!;
      for (let k = next.length - 1; k >= 0; k--) {
        const w = next[k]!;
        if (!seen[w]) {
          seen[w] = 1;
          stack.push(w);
        }
      }
    }
  }
  const pos = new Float64Array(rank.length);
  const index = (ls: number[][]) => ls.forEach((layer) => layer.forEach((v, i) => (pos[v] = i)));
  index(layers);
  let best = layers.map((l) => l.slice());
  let bestCrossings = crossings(layers, down, pos);
  let stale = 0;
  const key = new Float64Array(rank.length);
  for (let sweep = 0; sweep < ORDER_SWEEPS && bestCrossings > 0 && stale < ORDER_PATIENCE; sweep++) {
    const downward = sweep % 2 === 0;
    const from = downward ? 1 : depth - 2;
    for (let r = from; r >= 0 && r < depth; r += downward ? 1 : -1) {
      const near = downward ? up : down;
      for (const v of layers[r]!) {
        const ns = near[v]!;
        if (ns.length === 0) key[v] = pos[v]!;
        else {
          let sum = 0;
          for (const w of ns) sum += pos[w]!;
          key[v] = sum / ns.length;
        }
      }
      layers[r]!.sort((a, b) => key[a]! - key[b]!);
      layers[r]!.forEach((v, i) => (pos[v] = i));
    }
    const c = crossings(layers, down, pos);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => l.slice());
      stale = 0;
    } else stale++;
  }
  layers = best;
  index(layers);
  return layers;
}

/** Edge crossings between consecutive ranks: inversions of lower ends with edges sorted by upper end. */
function crossings(layers: readonly number[][], down: readonly number[][], pos: Float64Array): number {
  let total = 0;
  for (let r = 0; r + 1 < layers.length; r++) {
    const size = layers[r + 1]!.length;
    const tree = new Int32Array(size + 1);
    let seen = 0;
    for (const v of layers[r]!) {
      const ends = down[v]!.map((w) => pos[w]!).sort((a, b) => a - b);
      for (const p of ends) {
        // Edges already added whose lower end lies right of p cross this one.
        let le = 0;
        for (let i = p + 1; i > 0; i -= i & -i) le += tree[i]!;
        total += seen - le;
        for (let i = p + 1; i <= size; i += i & -i) tree[i]!++;
        seen++;
      }
    }
  }
  return total;
}

/** Centre x of every node: sweeps towards the neighbours' mean, each layer solved under its spacing. */
function place(layers: readonly number[][], width: readonly number[], real: number, up: readonly number[][], down: readonly number[][], s: LayeredSpacing): Float64Array {
  const x = new Float64Array(width.length);
  const gap = (v: number) => (v < real ? s.nodesep : s.edgesep) / 2;
  const offsets = layers.map((layer) => {
    const o = new Float64Array(layer.length);
    for (let i = 1; i < layer.length; i++) {
      const a = layer[i - 1]!;
      const b = layer[i]!;
      o[i] = o[i - 1]! + width[a]! / 2 + gap(a) + gap(b) + width[b]! / 2;
    }
    layer.forEach((v, i) => (x[v] = o[i]!));
    return o;
  });
  const weight = (v: number) => (v < real ? 1 : DUMMY_WEIGHT);
  const target = (v: number, near: readonly (readonly number[][])[]) => {
    let sum = 0;
    let count = 0;
    for (const side of near) for (const w of side[v]!) {
      sum += x[w]!;
      count++;
    }
    return count ? sum / count : x[v]!;
  };
  const solve = (r: number, near: readonly (readonly number[][])[]) => {
    const layer = layers[r]!;
    const t = layer.map((v, i) => target(v, near) - offsets[r]![i]!);
    const y = isotonic(t, layer.map(weight));
    layer.forEach((v, i) => (x[v] = y[i]! + offsets[r]![i]!));
  };
  for (let sweep = 0; sweep < PLACE_SWEEPS; sweep++) {
    if (sweep % 2 === 0) for (let r = 1; r < layers.length; r++) solve(r, [up]);
    else for (let r = layers.length - 2; r >= 0; r--) solve(r, [down]);
  }
  for (let r = 0; r < layers.length; r++) solve(r, [up, down]);
  return x;
}

/** The nondecreasing sequence nearest to `t` in weighted least squares (pool adjacent violators). */
function isotonic(t: readonly number[], w: readonly number[]): number[] {
  const mean: number[] = [];
  const mass: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < t.length; i++) {
    let m = t[i]!;
    let ws = w[i]!;
    let c = 1;
    while (mean.length && mean[mean.length - 1]! >= m) {
      const pm = mean.pop()!;
      const pw = mass.pop()!;
      m = (pm * pw + m * ws) / (pw + ws);
      ws += pw;
      c += count.pop()!;
    }
    mean.push(m);
    mass.push(ws);
    count.push(c);
  }
  const out: number[] = [];
  mean.forEach((m, b) => {
    for (let k = 0; k < count[b]!; k++) out.push(m);
  });
  return out;
}
