// The flow-graph panel's host (extension/panels/flow-graph-controller.ts) driven as the webview drives it:
// nothing before Ready, the laid-out graph with each step's status, deltas of only the changed nodes while a
// run goes, a new layout only when the flow's shape changes, and open/run reaching the actions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFlow, type FlowAnalysis } from '../../core/flow/analyze';
import { FlowGraphController, nodeStatus, type GraphSource } from '../../extension/panels/flow-graph-controller';
import type { StepStatusView } from '../../extension/flow-workspace';
import type { LiveStep } from '../../extension/step-state';
import { OpenNode, RunNode, ShowGraph, StatusPatched, type GraphShown } from '../../webviews/flow-graph/contract';
import { Ready, type WireMessage } from '../../webviews/platform/protocol';
import { tempProject } from '../helpers/project';

const FLOW = 'flow: demo\nsteps:\n  prep:\n    run: node prep.mjs\n  train:\n    run: node train.mjs\n    needs: [prep]\n';
const project = tempProject({ 'demo.flow.yaml': FLOW });
after(() => project.remove());
const file = project.path('demo.flow.yaml');

interface World {
  analysis: FlowAnalysis;
  disk: Map<string, StepStatusView>;
  live: Map<string, LiveStep>;
  activeRun: boolean;
}

function setup(world: World, trusted = true) {
  const posted: WireMessage[] = [];
  const waiting: { method: string; resolve(m: WireMessage): void }[] = [];
  const post = (m: WireMessage) => {
    posted.push(m);
    const i = waiting.findIndex((w) => w.method === m.method);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
  };
  const source: GraphSource = {
    flow: (f) => (f === file ? { analysis: world.analysis, title: 'demo' } : { title: f, error: 'no such flow' }),
    steps: () => ({ disk: world.disk, live: (s) => world.live.get(s), activeRun: world.activeRun }),
  };
  const opened: unknown[] = [];
  const ran: unknown[] = [];
  const controller = new FlowGraphController(post, source, { open: async (f, r) => void opened.push([f, r]), run: async (f, s) => void ran.push([f, s]) }, { debounceMs: 0 });
  controller.setTrusted(trusted);
  /** The next message of this method (already posted ones do not count). */
  const next = (method: string) => new Promise<WireMessage>((resolve) => waiting.push({ method, resolve }));
  return { controller, posted, opened, ran, next };
}

const paramsOf = <P>(m: WireMessage) => (m as { params: P }).params;
const world = (): World => ({
  analysis: loadFlow(file),
  disk: new Map<string, StepStatusView>([
    ['prep', { kind: 'up-to-date', reasons: [] }],
    ['train', { kind: 'stale', reasons: ['deps changed: train.mjs'] }],
  ]),
  live: new Map(),
  activeRun: false,
});

test('after Ready: the laid-out graph with each step status and its stale reasons', async () => {
  const w = world();
  const { controller, posted } = setup(w);
  controller.show(file);
  assert.equal(posted.length, 0, 'nothing before Ready');
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  assert.deepEqual(posted.map((m) => m.method), [ShowGraph.method]);
  const shown = paramsOf<GraphShown>(posted[0]!);
  assert.equal(shown.flowFile, file);
  assert.deepEqual(shown.graph.nodes.map((n) => n.id), ['step:prep', 'step:train']);
  assert.deepEqual(shown.graph.edges.map((e) => [e.from, e.to]), [['step:prep', 'step:train']]);
  assert.deepEqual(shown.status, { 'step:prep': { state: 'up-to-date' }, 'step:train': { state: 'stale', reasons: ['deps changed: train.mjs'] } });
  assert.equal(shown.canRun, true);
});

test('a run: only the nodes whose status changed travel, as deltas', async () => {
  const w = world();
  const { controller, posted } = setup(w);
  controller.show(file);
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  posted.length = 0;
  w.activeRun = true;
  w.live.set('prep', { state: 'cached' });
  w.live.set('train', { state: 'running', reasons: ['deps changed: train.mjs'] });
  controller.statusChanged(file);
  assert.deepEqual(posted.map((m) => [m.method, paramsOf<{ status: unknown }>(m).status]), [
    [StatusPatched.method, { 'step:prep': { state: 'cached' }, 'step:train': { state: 'running', reasons: ['deps changed: train.mjs'] } }],
  ]);
  posted.length = 0;
  controller.statusChanged(file);
  assert.equal(posted.length, 0, 'nothing changed, nothing sent');
  w.live.set('train', { state: 'failed', message: 'exited with code 2' });
  controller.statusChanged(project.path('other.flow.yaml'));
  assert.equal(posted.length, 0, 'another flow’s run is not this graph’s');
  controller.statusChanged(file);
  assert.deepEqual(posted.map((m) => paramsOf<{ status: unknown }>(m).status), [{ 'step:train': { state: 'failed', message: 'exited with code 2' } }]);
});

test('an edit that keeps the shape sends status only; one that adds a step lays out again', async () => {
  const w = world();
  const { controller, posted, next } = setup(w);
  controller.show(file);
  await controller.receive({ method: Ready.method, params: { state: undefined } });
  posted.length = 0;
  w.disk.set('prep', { kind: 'stale', reasons: ['command changed'] });
  const patched = next(StatusPatched.method);
  controller.refresh();
  assert.deepEqual(paramsOf<{ status: unknown }>(await patched).status, { 'step:prep': { state: 'stale', reasons: ['command changed'] } });
  assert.ok(!posted.some((m) => m.method === ShowGraph.method), 'same shape: no new layout');
  project.write('demo.flow.yaml', `${FLOW}  report:\n    run: node report.mjs\n    needs: [train]\n`);
  w.analysis = loadFlow(file);
  const shown = next(ShowGraph.method);
  controller.refresh();
  controller.refresh();
  const graph = paramsOf<GraphShown>(await shown).graph;
  assert.deepEqual(graph.nodes.map((n) => n.id), ['step:prep', 'step:train', 'step:report']);
  assert.equal(posted.filter((m) => m.method === ShowGraph.method).length, 1, 'a burst of changes lays out once');
  project.write('demo.flow.yaml', FLOW);
});

test('open goes to the node’s definition; run only for a step, only when trusted', async () => {
  const w = world();
  const trusted = setup(w);
  trusted.controller.show(file);
  await trusted.controller.receive({ method: Ready.method, params: { state: undefined } });
  await trusted.controller.receive({ method: OpenNode.method, params: { flowFile: file, id: 'step:train' } });
  assert.deepEqual(trusted.opened, [[file, w.analysis.flow.steps.get('train')!.nameRange]]);
  await trusted.controller.receive({ method: RunNode.method, params: { flowFile: file, id: 'step:train' } });
  await trusted.controller.receive({ method: RunNode.method, params: { flowFile: file, id: 'step:nope' } });
  assert.deepEqual(trusted.ran, [[file, 'train']]);
  const untrusted = setup(w, false);
  untrusted.controller.show(file);
  await untrusted.controller.receive({ method: Ready.method, params: { state: undefined } });
  assert.equal(paramsOf<GraphShown>(untrusted.posted[0]!).canRun, false);
  await untrusted.controller.receive({ method: RunNode.method, params: { flowFile: file, id: 'step:train' } });
  assert.deepEqual(untrusted.ran, []);
});

test('a panel revived after a reload shows the flow its state names', async () => {
  const { controller, posted } = setup(world());
  await controller.receive({ method: Ready.method, params: { state: { flowFile: file } } });
  assert.equal(paramsOf<GraphShown>(posted[0]!).flowFile, file);
});

test('node status follows the tree: a live run beats the disk, a failed last run keeps saying so', () => {
  assert.deepEqual(nodeStatus({ kind: 'invalid', reasons: ['sql/x.sql:1: syntax error'] }, undefined, false), { state: 'invalid', reasons: ['sql/x.sql:1: syntax error'] });
  assert.deepEqual(nodeStatus({ kind: 'up-to-date', reasons: [] }, { state: 'failed', message: 'boom' }, false), { state: 'failed', message: 'boom' });
  assert.deepEqual(nodeStatus({ kind: 'stale', reasons: ['x'] }, { state: 'succeeded' }, false), { state: 'stale', reasons: ['x'] }, 'a success the disk does not confirm');
  assert.equal(nodeStatus(undefined, undefined, false), undefined);
});
