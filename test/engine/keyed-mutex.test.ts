// The per-fingerprint lock a sweep's variants share: one holder per key, others in arrival order, other
// keys free, and a waiter that gives up (cancel) neither gets the lock nor blocks the ones behind it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from '../../core/engine/keyed-mutex';

test('one holder per key, in order; other keys do not wait', async () => {
  const m = new KeyedMutex();
  const order: string[] = [];
  const first = (await m.acquire('a'))!;
  const second = m.acquire('a').then((release) => (order.push('second'), release!));
  const third = m.acquire('a').then((release) => (order.push('third'), release!));
  const other = (await m.acquire('b'))!;
  order.push('other');
  await Promise.resolve();
  assert.deepEqual(order, ['other']);
  first();
  (await second)();
  (await third)();
  other();
  assert.deepEqual(order, ['other', 'second', 'third']);
  const again = await m.acquire('a');
  assert.ok(again, 'the key is free once everyone released');
  again!();
});

test('an aborted waiter gets nothing and the next one still gets the lock', async () => {
  const m = new KeyedMutex();
  const first = (await m.acquire('fp'))!;
  const cancel = new AbortController();
  const gaveUp = m.acquire('fp', cancel.signal);
  const next = m.acquire('fp');
  cancel.abort();
  assert.equal(await gaveUp, undefined);
  first();
  const release = await next;
  assert.ok(release);
  release!();
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await m.acquire('fp', aborted.signal), undefined);
  assert.ok(await m.acquire('fp'));
});
