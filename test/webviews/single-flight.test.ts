// The filter box's query discipline (webviews/platform/single-flight.ts): one query in flight, the newest
// waiting one replaces older waiting ones, and an answer a newer query has overtaken is never painted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight } from '../../webviews/platform/single-flight';

function host() {
  const asked: string[] = [];
  const answers = new Map<string, { resolve(v: string): void; reject(e: Error): void }>();
  const run = (q: string) =>
    new Promise<string>((resolve, reject) => {
      asked.push(q);
      answers.set(q, { resolve, reject });
    });
  return { asked, run, answer: (q: string) => answers.get(q)!.resolve(`rows for ${q}`), fail: (q: string) => answers.get(q)!.reject(new Error(`no ${q}`)) };
}
const settle = () => new Promise<void>((r) => setImmediate(r));

test('keystrokes while a query is out: only the newest is sent next, and only its answer is shown', async () => {
  const h = host();
  const shown: string[] = [];
  const flight = new SingleFlight(h.run, (r) => shown.push(r));
  flight.ask('m');
  flight.ask('me');
  flight.ask('met');
  assert.deepEqual(h.asked, ['m'], 'one query in flight');
  h.answer('m');
  await settle();
  assert.deepEqual(shown, [], 'an overtaken answer is not shown');
  assert.deepEqual(h.asked, ['m', 'met'], 'the newest waiting query goes next; the one it replaced never does');
  h.answer('met');
  await settle();
  assert.deepEqual(shown, ['rows for met']);
  flight.ask('metr');
  assert.deepEqual(h.asked, ['m', 'met', 'metr'], 'nothing in flight: asks at once');
});

test('a failed query is reported and does not block the next one', async () => {
  const h = host();
  const failures: string[] = [];
  const flight = new SingleFlight(h.run, () => undefined, (err) => failures.push((err as Error).message));
  flight.ask('a');
  flight.ask('b');
  h.fail('a');
  await settle();
  assert.deepEqual(failures, ['no a']);
  assert.deepEqual(h.asked, ['a', 'b']);
});
