// The step DAG: explicit edges (needs, inputs) and implicit ones (ref() in SQL, deps that are
// another step's outs), each with the place in a file that created it so problems can point there.
import { dirname, sep } from 'node:path';
import type { Flow, Range } from './model';
import { LineIndex } from './positions';
import { resolveIn } from './resolve-in';
import type { TemplateScan } from '../sql/template';

export type EdgeKind = 'ref' | 'inputs' | 'needs' | 'deps';

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** File and range of the text that creates the edge. */
  file: string;
  range: Range;
}

export interface SqlFileInfo {
  step: string;
  /** Absolute path. */
  file: string;
  text: string;
  template: TemplateScan;
  lines: LineIndex;
}

export interface FlowGraph {
  steps: string[];
  edges: Edge[];
  parents(step: string): string[];
  children(step: string): string[];
  /** Topological order, file order among equals; steps in or behind a cycle are left out. */
  order: string[];
  /** Each cycle as a path [a, b, c] meaning a → b → c → a. */
  cycles: string[][];
  upstreamOf(steps: Iterable<string>): Set<string>;
  downstreamOf(steps: Iterable<string>): Set<string>;
  outputs: OutputIndex;
}

/** A path some step writes: one of its outs or metrics files. */
export interface Produced {
  step: string;
  /** Absolute path. */
  path: string;
  /** As written in the flow file. */
  raw: string;
  range: Range;
}

/** True when `inner` is `outer` or lies inside the folder `outer`. */
export function isWithin(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  // Without building `outer + sep`: analysis asks this for every path a flow names.
  return inner.startsWith(outer) && (outer.endsWith(sep) || inner.startsWith(sep, outer.length));
}

/**
 * Every path the flow's steps write, indexed so that "who produces this path" and "which outs lie
 * in this folder" cost a walk up the path or a binary search, not a scan of all steps.
 */
export class OutputIndex {
  readonly all: Produced[] = [];
  private readonly byPath = new Map<string, Produced[]>();
  private readonly sorted: string[];
  private readonly holders = new Map<string, Produced[]>();

  constructor(flow: Flow) {
    for (const step of flow.steps.values()) {
      for (const o of [...step.outs, ...step.metrics]) {
        const produced = { step: step.name, path: resolveIn(flow.root, o.value), raw: o.value, range: o.range };
        this.all.push(produced);
        const list = this.byPath.get(produced.path);
        if (list) list.push(produced);
        else this.byPath.set(produced.path, [produced]);
      }
    }
    this.sorted = [...this.byPath.keys()].sort();
  }

  /** Outs declared at exactly this path. */
  at(path: string): Produced[] {
    return this.byPath.get(path) ?? [];
  }

  /**
   * Outs that are this path or a folder holding it, nearest first. Remembered per path: the graph and the
   * validator ask about the same deps, and the index never changes once built.
   */
  containing(path: string): Produced[] {
    let found = this.holders.get(path);
    if (found) return found;
    found = [];
    for (let p = path; ; ) {
      const here = this.byPath.get(p);
      if (here) found.push(...here);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
    this.holders.set(path, found);
    return found;
  }

  /** Outs strictly inside the folder `path`. */
  inside(path: string): Produced[] {
    const prefix = path.endsWith(sep) ? path : path + sep;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: Produced[] = [];
    for (let i = lo; i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++) found.push(...this.at(this.sorted[i]!));
    return found;
  }

  /** Outs that overlap `path` in either direction. */
  overlapping(path: string): Produced[] {
    return [...this.containing(path), ...this.inside(path)];
  }
}

export function buildGraph(flow: Flow, sql: Map<string, SqlFileInfo>): FlowGraph {
  const edges: Edge[] = [];
  const steps = [...flow.steps.keys()];
  const add = (from: string, to: string, kind: EdgeKind, file: string, range: Range) => {
    if (flow.steps.has(from)) edges.push({ from, to, kind, file, range });
  };
  const outputs = new OutputIndex(flow);
  for (const step of flow.steps.values()) {
    for (const need of step.needs) add(need.value, step.name, 'needs', flow.file, need.range);
    for (const input of step.inputs) add(input.value, step.name, 'inputs', flow.file, input.range);
    const info = sql.get(step.name);
    for (const call of info?.template.calls ?? []) {
      if (call.fn === 'ref' && call.args.length === 1) {
        const arg = call.argRanges[0]!;
        add(call.args[0]!, step.name, 'ref', info!.file, info!.lines.range(arg.start, arg.end));
      }
    }
    for (const dep of step.deps) {
      for (const producer of outputs.overlapping(resolveIn(flow.root, dep.value))) {
        if (producer.step !== step.name) add(producer.step, step.name, 'deps', flow.file, dep.range);
      }
    }
  }
  return makeGraph(steps, edges, outputs);
}

function makeGraph(steps: string[], edges: Edge[], outputs: OutputIndex): FlowGraph {
  const parents = new Map<string, string[]>(steps.map((s) => [s, []]));
  const children = new Map<string, string[]>(steps.map((s) => [s, []]));
  for (const e of edges) {
    if (!parents.get(e.to)!.includes(e.from)) parents.get(e.to)!.push(e.from);
    if (!children.get(e.from)!.includes(e.to)) children.get(e.from)!.push(e.to);
  }
  const walk = (start: Iterable<string>, next: Map<string, string[]>) => {
    const seen = new Set<string>();
    const stack = [...start].filter((s) => next.has(s));
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...next.get(s)!);
    }
    return seen;
  };
  return {
    steps,
    edges,
    parents: (s) => parents.get(s) ?? [],
    children: (s) => children.get(s) ?? [],
    order: topologicalOrder(steps, parents, children),
    cycles: findCycles(steps, children),
    upstreamOf: (s) => walk(s, parents),
    downstreamOf: (s) => walk(s, children),
    outputs,
  };
}

/** Kahn's algorithm; the ready steps wait in a min-heap of file positions, so a wide flow is not re-sorted per step. */
function topologicalOrder(steps: string[], parents: Map<string, string[]>, children: Map<string, string[]>): string[] {
  const position = new Map(steps.map((s, i) => [s, i]));
  const waiting = new Map(steps.map((s) => [s, parents.get(s)!.length]));
  const ready = new PositionHeap();
  steps.forEach((s, i) => waiting.get(s) === 0 && ready.push(i));
  const order: string[] = [];
  while (ready.size > 0) {
    const s = steps[ready.pop()]!;
    order.push(s);
    for (const c of children.get(s)!) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(position.get(c)!);
    }
  }
  return order;
}

class PositionHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(n: number): void {
    const a = this.items;
    let i = a.push(n) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up]! <= n) break;
      a[i] = a[up]!;
      i = up;
    }
    a[i] = n;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/** One cycle per strongly connected component that has one (Tarjan), as a readable path. */
function findCycles(steps: string[], children: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of children.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || children.get(v)!.includes(v)) cycles.push(cyclePath(v, new Set(component), children));
    }
  };
  for (const s of steps) if (!index.has(s)) connect(s);
  return cycles;
}

/** Shortest path from `start` back to itself inside one component (breadth first). */
function cyclePath(start: string, component: Set<string>, children: Map<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of children.get(v)!) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}
