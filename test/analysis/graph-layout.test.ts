// The flow graph's layout (core/analysis/graph-layout.ts) and the graph it is given (flow-graph.ts): edges
// point down, boxes never overlap, the same input gives the same picture, and a flow's sources, steps and
// model become the nodes and edges the panel draws.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFlow } from '../../core/flow/analyze';
import { flowGraphModel, MODEL_NODE_ID, sourceNodeId, stepNodeId } from '../../core/analysis/flow-graph';
import type { GraphEdge, GraphNode, LaidOutGraph, LaidOutNode } from '../../core/analysis/graph-types';
import { layoutGraph } from '../../core/analysis/graph-layout';
import { writeBranchingFlow } from '../bench/generate-graph';
import { edgeCrossings } from '../helpers/edge-crossings';
import { tempProject } from '../helpers/project';

const EXAMPLE = 'examples/flight-delays/flight-delays.flow.yaml';
const project = tempProject();
after(() => project.remove());

function overlap(a: LaidOutNode, b: LaidOutNode): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function assertSound(laid: LaidOutGraph, edges: readonly GraphEdge[]): void {
  const at = new Map(laid.nodes.map((n) => [n.id, n]));
  for (const e of edges) {
    const from = at.get(e.from)!;
    const to = at.get(e.to)!;
    assert.ok(from.y + from.height <= to.y, `${e.from} (bottom ${from.y + from.height}) is above ${e.to} (top ${to.y})`);
  }
  for (let i = 0; i < laid.nodes.length; i++)
    for (let j = i + 1; j < laid.nodes.length; j++) assert.ok(!overlap(laid.nodes[i]!, laid.nodes[j]!), `${laid.nodes[i]!.id} overlaps ${laid.nodes[j]!.id}`);
  for (const n of laid.nodes) assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= laid.width + 0.5 && n.y + n.height <= laid.height + 0.5, `${n.id} lies inside the graph's size`);
  for (const e of laid.edges) {
    const from = at.get(e.from)!;
    const to = at.get(e.to)!;
    assert.ok(e.points.length >= 2, `edge ${e.from} → ${e.to} has a polyline`);
    const [first, last] = [e.points[0]!, e.points.at(-1)!];
    assert.ok(Math.abs(first.y - (from.y + from.height)) < 1, `edge ${e.from} → ${e.to} leaves from the bottom of ${e.from}`);
    assert.ok(Math.abs(last.y - to.y) < 1, `edge ${e.from} → ${e.to} ends at the top of ${e.to}`);
  }
}

const node = (id: string, kind: GraphNode['kind'] = 'run'): GraphNode => ({ id, kind, label: id });

// Both engines: dagre for small graphs, the layered layout above the threshold (forced here with layeredAbove).
for (const [engine, options] of [['dagre', { layeredAbove: Infinity }], ['layered', { layeredAbove: 0 }]] as const) {
  test(`${engine}: a diamond with a long edge: every edge points down, no boxes overlap`, () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => node(id));
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
      { from: 'd', to: 'e' },
      { from: 'a', to: 'e' },
    ];
    const laid = layoutGraph(nodes, edges, options);
    assert.deepEqual(laid.nodes.map((n) => n.id), ['a', 'b', 'c', 'd', 'e'], 'nodes keep their order');
    assertSound(laid, edges);
    const long = laid.edges.find((e) => e.from === 'a' && e.to === 'e')!;
    assert.ok(long.points.length > 2, 'an edge across ranks bends around the nodes between');
    const b = laid.nodes[1]!;
    const c = laid.nodes[2]!;
    assert.equal(b.y, c.y, 'siblings share a rank');
  });

  test(`${engine}: duplicates, self-edges and edges to unknown nodes are dropped; a cycle still lays out`, () => {
    const nodes = [node('a'), node('b'), node('c'), node('a')];
    const laid = layoutGraph(nodes, [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'b' },
      { from: 'b', to: 'b' },
      { from: 'b', to: 'ghost' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
    ], options);
    assert.deepEqual(laid.nodes.map((n) => n.id), ['a', 'b', 'c']);
    assert.deepEqual(laid.edges.map((e) => `${e.from}>${e.to}`), ['a>b', 'b>c', 'c>a']);
    for (const e of laid.edges) assert.ok(e.points.length >= 2);
    const back = laid.edges.find((e) => e.from === 'c')!;
    const a = laid.nodes[0]!;
    assert.ok(Math.abs(back.points.at(-1)!.y - (a.y + a.height)) < 1 || Math.abs(back.points.at(-1)!.y - a.y) < 1, 'the back edge ends on a');
  });
}

test('layered: the ordering sweeps undo the crossing the first placement makes', () => {
  // Depth-first placement puts c before d under a; b → c then crosses a → d until c and d swap.
  const edges = [
    { from: 'a', to: 'c' },
    { from: 'a', to: 'd' },
    { from: 'b', to: 'c' },
  ];
  const laid = layoutGraph(['a', 'b', 'c', 'd'].map((id) => node(id)), edges, { layeredAbove: 0 });
  assertSound(laid, edges);
  assert.equal(edgeCrossings(laid), 0);
  const at = new Map(laid.nodes.map((n) => [n.id, n.x]));
  assert.ok(at.get('d')! < at.get('c')!, 'd moved left of c');
});

test('layered: a chain stands in one column; a source sits just above its first consumer, not at the top', () => {
  const chain = [
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
    { from: 'c', to: 'd' },
  ];
  const column = layoutGraph(['a', 'b', 'c', 'd'].map((id) => node(id)), chain, { layeredAbove: 0 });
  assertSound(column, chain);
  assert.deepEqual(new Set(column.nodes.map((n) => n.x)).size, 1);
  const joined = [...chain, { from: 'src', to: 'd' }];
  const laid = layoutGraph(['a', 'b', 'c', 'd', 'src'].map((id) => node(id)), joined, { layeredAbove: 0 });
  assertSound(laid, joined);
  const [, , c, , src] = laid.nodes;
  assert.equal(src!.y, c!.y, 'the source shares the rank of d’s other parent');
});

test('a generated 60-step flow: sound on both engines, and the layered one crosses no more edges than dagre', () => {
  const model = flowGraphModel(loadFlow(writeBranchingFlow(project.path('mid'), 60)));
  const dagre = layoutGraph(model.nodes, model.edges, { layeredAbove: Infinity });
  const layered = layoutGraph(model.nodes, model.edges, { layeredAbove: 0 });
  assertSound(dagre, model.edges);
  assertSound(layered, model.edges);
  assert.ok(edgeCrossings(layered) <= edgeCrossings(dagre), `layered ${edgeCrossings(layered)} crossings, dagre ${edgeCrossings(dagre)}`);
});

test('a label widens its box within limits', () => {
  const laid = layoutGraph([node('x'), { id: 'long', kind: 'sql', label: 'a_rather_long_step_name_for_features' }, { id: 'huge', kind: 'sql', label: 'n'.repeat(200) }], []);
  const [x, long, huge] = laid.nodes;
  assert.ok(long!.width > x!.width);
  assert.ok(huge!.width >= long!.width && huge!.width <= 260);
});

test('the example flow: its source tables, steps and model, drawn top-down', () => {
  const model = flowGraphModel(loadFlow(EXAMPLE));
  assert.deepEqual(
    model.nodes.map((n) => [n.id, n.kind]),
    [
      [sourceNodeId('raw', 'flights'), 'source'],
      [sourceNodeId('raw', 'airports'), 'source'],
      [stepNodeId('staging'), 'sql'],
      [stepNodeId('features'), 'sql'],
      [stepNodeId('train'), 'run'],
      [stepNodeId('evaluate'), 'run'],
      [MODEL_NODE_ID, 'model'],
    ],
  );
  const edges = new Set(model.edges.map((e) => `${e.from} > ${e.to}`));
  for (const e of ['source:raw.flights > step:staging', 'source:raw.airports > step:staging', 'step:staging > step:features', 'step:features > step:train', 'step:train > step:evaluate', 'step:train > model'])
    assert.ok(edges.has(e), `edge ${e}`);
  const laid = layoutGraph(model.nodes, model.edges);
  assertSound(laid, model.edges);
});

test('a run step reading a source file and a model found by its path (no model.step)', () => {
  project.write('data/events.csv', 'id\n1\n');
  const file = project.write(
    'p.flow.yaml',
    'flow: p\nsources:\n  raw:\n    events: { path: data/events.csv }\nsteps:\n  prep:\n    run: node prep.mjs\n    deps: [data/events.csv]\n    outs: [models]\nmodel:\n  path: models/m.onnx\n',
  );
  const model = flowGraphModel(loadFlow(file));
  assert.deepEqual(model.edges, [
    { from: 'source:raw.events', to: 'step:prep' },
    { from: 'step:prep', to: 'model' },
  ]);
});

test('a generated 500-step flow (the layered engine by default): sound and deterministic', () => {
  const model = flowGraphModel(loadFlow(writeBranchingFlow(project.path('big'), 500)));
  assert.ok(model.nodes.length > 500 && model.edges.length > 700, `${model.nodes.length} nodes, ${model.edges.length} edges`);
  const first = layoutGraph(model.nodes, model.edges);
  assertSound(first, model.edges);
  assert.deepEqual(layoutGraph(model.nodes, model.edges), first, 'the same graph lays out the same');
});
