// The flow-graph panel (webviews/flow-graph, drawing webviews/graph/flow-graph.tsx) in Chromium under the
// panels' CSP, this test playing the host with the example flow laid out by the host's own layout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { flowGraphModel } from '../../core/analysis/flow-graph';
import { layoutGraph } from '../../core/analysis/graph-layout';
import { loadFlow } from '../../core/flow/analyze';
import { OpenNode, RunNode, ShowGraph, StatusPatched, type GraphShown } from '../../webviews/flow-graph/contract';
import { Ready } from '../../webviews/platform/protocol';
import { PANELS } from '../../scripts/webviews.mjs';
import { openHarness, type Harness } from './harness';

const FILE = 'examples/flight-delays/flight-delays.flow.yaml';
const model = flowGraphModel(loadFlow(FILE));
const shown: GraphShown = {
  flowFile: FILE,
  title: 'flight-delays',
  graph: layoutGraph(model.nodes, model.edges),
  status: {
    'step:staging': { state: 'up-to-date' },
    'step:features': { state: 'up-to-date' },
    'step:train': { state: 'stale', reasons: ['params changed: epochs 8 → 12', 'deps changed: steps/train.mjs'] },
    'step:evaluate': { state: 'stale', reasons: ['upstream train is stale'] },
  },
  errors: 0,
  canRun: true,
};

let h: Harness;
const received: { method: string; params: unknown }[] = [];
const commands = (method: string) => received.filter((m) => m.method === method).map((m) => m.params);
/** Resolves when the webview has posted `count` messages of this method. */
const posted = (method: string, count: number) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = () => (commands(method).length >= count ? resolve() : Date.now() - started > 10_000 ? reject(new Error(`no ${method} #${count}`)) : setImmediate(check));
    check();
  });

before(async () => {
  h = await openHarness(PANELS.graph, {
    host: {
      receive(message, post) {
        const m = message as { method: string; params: unknown };
        received.push(m);
        if (m.method === Ready.method) return post({ method: ShowGraph.method, params: shown });
      },
    },
  });
  await h.page.locator('.fb-graph-node').first().waitFor({ timeout: 30_000 });
});
after(() => h?.close());

// What the evaluate callbacks see in the page (this file compiles without the DOM lib).
declare const document: any;

const node = (id: string) => h.page.locator(`.fb-graph-node[data-id="${id}"]`);

test('draws every node and edge of the flow, with status and kind', async () => {
  assert.equal(await h.page.locator('.fb-graph-node').count(), shown.graph.nodes.length);
  assert.equal(await h.page.locator('.fb-graph-edge').count(), shown.graph.edges.length);
  assert.equal(await node('step:train').getAttribute('data-state'), 'stale');
  assert.equal(await node('model').getAttribute('aria-label'), 'model, model');
  assert.match((await node('step:staging').getAttribute('aria-label')) ?? '', /^staging, SQL step, up to date$/);
  assert.match((await h.page.locator('.fg-header').textContent()) ?? '', /flight-delays.*2 up to date · 2 stale/);
  assert.deepEqual(h.errors, []);
});

test('hovering a stale node shows why it is stale', async () => {
  await node('step:train').hover();
  const tip = h.page.locator('[role=tooltip]');
  await tip.waitFor();
  assert.match((await tip.textContent()) ?? '', /train — stale.*Stale because:.*params changed: epochs 8 → 12.*deps changed: steps\/train\.mjs/);
  await h.page.mouse.move(2, 2);
  await tip.waitFor({ state: 'detached' });
});

test('a status delta repaints only the nodes it names', async () => {
  await h.page.evaluate(() => {
    (globalThis as unknown as { marker: unknown }).marker = document.querySelector('.fb-graph-node[data-id="step:staging"] text');
  });
  await h.post({ method: StatusPatched.method, params: { flowFile: FILE, status: { 'step:train': { state: 'running', reasons: ['params changed: epochs 8 → 12'] } } } });
  await h.page.waitForFunction(() => document.querySelector('.fb-graph-node[data-id="step:train"]')?.getAttribute('data-state') === 'running');
  assert.equal(await node('step:evaluate').getAttribute('data-state'), 'stale', 'untouched nodes keep their status');
  assert.ok(await h.page.evaluate(() => (globalThis as unknown as { marker: unknown }).marker === document.querySelector('.fb-graph-node[data-id="step:staging"] text')));
  assert.equal(await h.page.locator('.fb-graph-edge-running').count(), 3, 'the edges into and out of the running step');
  await h.post({ method: StatusPatched.method, params: { flowFile: 'other.flow.yaml', status: { 'step:train': { state: 'failed' } } } });
  await h.post({ method: StatusPatched.method, params: { flowFile: FILE, status: { 'step:train': { state: 'failed', message: 'exited with code 1' }, 'step:evaluate': null } } });
  await h.page.waitForFunction(() => document.querySelector('.fb-graph-node[data-id="step:train"]')?.getAttribute('data-state') === 'failed');
  assert.equal(await node('step:evaluate').getAttribute('data-state'), null, 'null removes a status');
});

test('keyboard: arrows move between nodes, focus shows the reasons, Enter opens, R runs', async () => {
  await h.post({ method: StatusPatched.method, params: { flowFile: FILE, status: { 'step:train': shown.status['step:train']!, 'step:evaluate': shown.status['step:evaluate']! } } });
  await node('step:features').focus();
  const focusedId = () => h.page.evaluate(() => document.activeElement?.getAttribute('data-id'));
  assert.equal(await focusedId(), 'step:features');
  await h.page.keyboard.press('ArrowDown');
  const below = await focusedId();
  assert.ok(below === 'step:train' || below === 'step:evaluate', `ArrowDown from features went to ${below}`);
  const at = (id: string) => shown.graph.nodes.find((n) => n.id === id)!;
  assert.ok(at(below!).y > at('step:features').y);
  await h.page.keyboard.press('ArrowUp');
  assert.equal(await focusedId(), 'step:features');
  await node('step:train').focus();
  const tip = h.page.locator('[role=tooltip]');
  assert.match((await tip.textContent()) ?? '', /Stale because:.*params changed/, 'the reasons without a mouse');
  assert.equal(await node('step:train').getAttribute('aria-describedby'), await tip.getAttribute('id'));
  await h.page.keyboard.press('Enter');
  await posted(OpenNode.method, 1);
  assert.deepEqual(commands(OpenNode.method).at(-1), { flowFile: FILE, id: 'step:train' });
  await h.page.keyboard.press('r');
  await posted(RunNode.method, 1);
  assert.deepEqual(commands(RunNode.method).at(-1), { flowFile: FILE, id: 'step:train' });
  await node('model').focus();
  await h.page.keyboard.press('r');
  await h.page.keyboard.press('Enter');
  await posted(OpenNode.method, 2);
  assert.equal(commands(RunNode.method).length, 1, 'the model is not a step: nothing to run');
});

test('a click opens the definition; the run button runs the step', async () => {
  const opened = commands(OpenNode.method).length;
  await h.page.locator('.fb-graph-toolbar button[aria-label="Fit to view"]').click();
  await node('step:evaluate').locator('.fb-graph-label').click();
  await posted(OpenNode.method, opened + 1);
  assert.deepEqual(commands(OpenNode.method).at(-1), { flowFile: FILE, id: 'step:evaluate' });
  const runs = commands(RunNode.method).length;
  await node('step:staging').locator('.fb-graph-run-button').click();
  await posted(RunNode.method, runs + 1);
  assert.deepEqual(commands(RunNode.method).at(-1), { flowFile: FILE, id: 'step:staging' });
  assert.equal(commands(OpenNode.method).length, opened + 1, 'the run button does not also open');
});

test('zoom keys and buttons scale the drawing; a drag pans without opening', async () => {
  const transform = () => h.page.locator('.fb-graph-svg > g').getAttribute('transform');
  const before = await transform();
  await node('step:features').focus();
  await h.page.keyboard.press('+');
  const zoomed = await transform();
  assert.notEqual(zoomed, before);
  const scale = (t: string | null) => Number(/scale\(([\d.]+)\)/.exec(t ?? '')![1]);
  assert.ok(scale(zoomed) > scale(before));
  const opened = commands(OpenNode.method).length;
  const box = (await node('step:features').boundingBox())!;
  await h.page.mouse.move(box.x + 10, box.y + 10);
  await h.page.mouse.down();
  await h.page.mouse.move(box.x + 110, box.y + 60, { steps: 5 });
  await h.page.mouse.up();
  assert.match((await transform()) ?? '', /translate/);
  assert.notEqual(await transform(), zoomed, 'the drag panned');
  assert.equal(commands(OpenNode.method).length, opened, 'a drag is not a click');
  assert.deepEqual(h.errors, []);
});
