import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Refresher } from '../../extension/refresher';

test('a burst of requests leads to one refresh', async () => {
  let runs = 0;
  const refresher = new Refresher(async () => void runs++, 20);
  for (let i = 0; i < 10; i++) refresher.request();
  await sleep(80);
  assert.equal(runs, 1);
});

test('never runs two refreshes at once, and runs once more for requests made during one', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const refresher = new Refresher(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(30);
    runs++;
    running--;
  }, 1);
  const first = refresher.flush();
  const during = [refresher.flush(), refresher.flush(), refresher.flush()];
  await Promise.all([first, ...during]);
  assert.equal(maxRunning, 1);
  assert.equal(runs, 2);
});

test('a failing refresh is reported and does not block the next one', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const refresher = new Refresher(
    async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    },
    1,
    (err) => errors.push(err),
  );
  await refresher.flush();
  await refresher.flush();
  assert.equal(calls, 2);
  assert.equal((errors[0] as Error).message, 'boom');
});
