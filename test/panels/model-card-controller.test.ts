// The model card controller without a webview: nothing is sent before Ready, a newer card request wins over
// one still building, a failed build is a message, and Export goes to the host with the shown card.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelCard } from '../../core/model/card-types';
import { ModelCardController } from '../../extension/panels/model-card-controller';
import type { WireMessage } from '../../webviews/platform/protocol';

function card(run: string): ModelCard {
  return { version: 1, generated: 0, details: { name: 'f', flowFile: '/p/f.flow.yaml', run, runStatus: 'succeeded', created: 0, code: { dirty: false } }, considerations: { owners: [], tags: [], datasets: [], other: {} }, lineage: { sources: [], steps: [], evaluationSteps: [], params: {}, overrides: {}, nodes: [], edges: [] }, metrics: { overall: [], slices: [] }, checks: [], problems: [] };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('the newest request wins; errors and exports', async () => {
  const posted: WireMessage[] = [];
  const pending = new Map<string, ReturnType<typeof deferred<ModelCard>>>();
  const saved: string[] = [];
  const controller = new ModelCardController((m) => posted.push(m), {
    load: (_flow, run) => {
      const d = deferred<ModelCard>();
      pending.set(run, d);
      return d.promise;
    },
    save: async (c, format) => void saved.push(`${c.details.run} ${format}`),
  });
  const shows = () => posted.filter((m) => m.method === 'card/show').map((m) => (m as { params: { card?: ModelCard; loading?: boolean; error?: string } }).params);

  const first = controller.show({ flowFile: '/p/f.flow.yaml', run: 'a' });
  assert.deepEqual(posted, [], 'nothing before ready');
  await controller.receive({ method: 'platform/ready', params: { state: undefined } });
  assert.equal(shows().at(-1)?.loading, true);
  const second = controller.show({ flowFile: '/p/f.flow.yaml', run: 'b' });
  pending.get('b')!.resolve(card('b'));
  await second;
  pending.get('a')!.resolve(card('a'));
  await first;
  assert.equal(shows().at(-1)?.card?.details.run, 'b', 'the older build finishing later is dropped');

  await controller.receive({ method: 'card/export', params: { format: 'html' } });
  assert.deepEqual(saved, ['b html']);

  const failing = controller.show({ flowFile: '/p/f.flow.yaml', run: 'c' });
  pending.get('c')!.reject(new Error("no run 'c' is recorded for this flow"));
  await failing;
  assert.match(shows().at(-1)?.error ?? '', /^The model card of run c could not be built: no run 'c'/);
  await controller.receive({ method: 'card/export', params: { format: 'md' } });
  assert.deepEqual(saved, ['b html'], 'no card, nothing to export');
});

test('Deploy on the card asks the host to deploy the shown run', async () => {
  const deployed: string[] = [];
  const controller = new ModelCardController(() => undefined, {
    load: async (_flow, run) => card(run),
    save: async () => undefined,
    deploy: async (t) => void deployed.push(`${t.flowFile} ${t.run}`),
  });
  await controller.receive({ method: 'platform/ready', params: { state: undefined } });
  await controller.receive({ method: 'card/deploy', params: {} });
  assert.deepEqual(deployed, [], 'no card shown, nothing to deploy');
  await controller.show({ flowFile: '/p/f.flow.yaml', run: 'a', compare: 'b' });
  await controller.receive({ method: 'card/deploy', params: {} });
  assert.deepEqual(deployed, ['/p/f.flow.yaml a']);
});
