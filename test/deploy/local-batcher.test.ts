// The local endpoint's batching policy (Triton's): an idle runtime runs a request at once; while a batch
// runs, what arrives queues and runs as the next batch the moment it ends, up to maxBatch rows, with no
// second wait even when a window is set; each request gets its own rows back. The runner here is one whose runs the test ends
// by hand, so "while a batch runs" is a state the test holds, not a timing it hopes for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher, type Feed, type OutTensor } from '../../core/deploy/local-batcher';

interface Run { feeds: Feed[]; finish: () => void; fail: (e: Error) => void }

/** A runner that doubles its one float32 input; `next()` resolves with each run as it starts. */
function handRunner() {
  const runs: Run[] = [];
  const waiting: ((r: Run) => void)[] = [];
  const runner = (feeds: Feed[]) => new Promise<Record<string, OutTensor>>((resolve, reject) => {
    const data = Float32Array.from(feeds[0]!.data as ArrayLike<number>, (v) => v * 2);
    const run: Run = { feeds, finish: () => resolve({ y: { type: 'float32', dims: [feeds[0]!.dims[0]!, 1], data } }), fail: reject };
    const w = waiting.shift();
    if (w) w(run);
    else runs.push(run);
  });
  const next = () => new Promise<Run>((resolve) => {
    const r = runs.shift();
    if (r) resolve(r);
    else waiting.push(resolve);
  });
  return { runner, next, started: () => runs.length };
}

const feed = (...values: number[]): Feed[] => [{ name: 'x', type: 'float32', dims: [values.length, 1], data: values }];
const values = (r: { outputs: Record<string, OutTensor> }) => [...(r.outputs.y!.data as Float32Array)];

test('requests that arrive while a batch runs are answered correctly, all in the one batch that follows', async () => {
  const hand = handRunner();
  const batcher = new Batcher(hand.runner, { enabled: true, maxBatch: 64, windowMs: 0 });
  const first = batcher.submit(1, feed(1));
  const running = await hand.next();
  assert.deepEqual([...running.feeds[0]!.data], [1]);
  const later = [batcher.submit(1, feed(10)), batcher.submit(2, feed(20, 21)), batcher.submit(1, feed(30))];
  assert.equal(hand.started(), 0, 'nothing else starts while the runtime is busy');
  running.finish();
  assert.deepEqual(values(await first), [2]);
  assert.equal((await first).batch, 1);
  const following = await hand.next();
  assert.deepEqual(following.feeds[0]!.dims, [4, 1]);
  assert.deepEqual([...following.feeds[0]!.data], [10, 20, 21, 30], 'stacked along dim 0 in arrival order');
  following.finish();
  const answers = await Promise.all(later);
  assert.deepEqual(answers.map(values), [[20], [40, 42], [60]]);
  assert.deepEqual(answers.map((a) => a.batch), [4, 4, 4]);
  assert.equal(hand.started(), 0);
});

test('an idle runtime runs a request at once, with no window; what follows in the same turn makes the next batch', async () => {
  const hand = handRunner();
  const batcher = new Batcher(hand.runner, { enabled: true, maxBatch: 64, windowMs: 0 });
  const replies = [1, 2, 3].map((v) => batcher.submit(1, feed(v)));
  assert.equal(hand.started(), 1, 'the first request started its run inside submit');
  const first = await hand.next();
  assert.deepEqual([...first.feeds[0]!.data], [1]);
  first.finish();
  const second = await hand.next();
  assert.deepEqual([...second.feeds[0]!.data], [2, 3]);
  second.finish();
  assert.deepEqual((await Promise.all(replies)).map((r) => [r.batch, ...values(r)]), [[1, 2], [2, 4], [2, 6]]);
});

test('maxBatch caps a run: a longer queue runs in full batches back to back, and a full queue does not wait', async () => {
  const hand = handRunner();
  const batcher = new Batcher(hand.runner, { enabled: true, maxBatch: 3, windowMs: 60_000 });
  // A window of a minute: only a full batch can start this run now.
  const full = [1, 2, 3].map((v) => batcher.submit(1, feed(v)));
  const first = await hand.next();
  assert.deepEqual([...first.feeds[0]!.data], [1, 2, 3]);
  const queued = [4, 5, 6, 7, 8].map((v) => batcher.submit(1, feed(v)));
  first.finish();
  const second = await hand.next();
  assert.deepEqual([...second.feeds[0]!.data], [4, 5, 6]);
  second.finish();
  const third = await hand.next();
  assert.deepEqual([...third.feeds[0]!.data], [7, 8], 'the rest runs when the runtime frees, without the window');
  third.finish();
  assert.deepEqual((await Promise.all(full)).map((r) => r.batch), [3, 3, 3]);
  assert.deepEqual((await Promise.all(queued)).map((r) => [r.batch, ...values(r)]), [[3, 8], [3, 10], [3, 12], [2, 14], [2, 16]]);
});

test('a failed run fails only its own requests; the batch queued behind it still runs', async () => {
  const hand = handRunner();
  const batcher = new Batcher(hand.runner, { enabled: true, maxBatch: 64, windowMs: 0 });
  const doomed = batcher.submit(1, feed(1));
  const failing = await hand.next();
  const after = [batcher.submit(1, feed(2)), batcher.submit(1, feed(3))];
  failing.fail(new Error('out of memory'));
  await assert.rejects(doomed, /out of memory/);
  const next = await hand.next();
  next.finish();
  assert.deepEqual((await Promise.all(after)).map(values), [[4], [6]]);
});

test('with batching off every request is its own run, even while another runs', async () => {
  const hand = handRunner();
  const batcher = new Batcher(hand.runner, { enabled: false, maxBatch: 64, windowMs: 0 });
  const a = batcher.submit(1, feed(1));
  const b = batcher.submit(2, feed(2, 3));
  const [ra, rb] = [await hand.next(), await hand.next()];
  assert.deepEqual([[...ra.feeds[0]!.data], [...rb.feeds[0]!.data]], [[1], [2, 3]]);
  rb.finish();
  ra.finish();
  assert.deepEqual([(await a).batch, (await b).batch], [1, 2]);
  assert.deepEqual(values(await b), [4, 6]);
});
