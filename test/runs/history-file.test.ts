import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyKeysOf, historyOf, parseHistoryLines } from '../../core/runs/history-file';
import { groupHistories } from '../../core/runs/record';

/** What RunStore.get answers: every line parsed, then grouped. */
const whole = (text: string) => groupHistories(parseHistoryLines(text));

function agrees(text: string, label: string): void {
  const all = whole(text);
  assert.deepEqual(historyKeysOf(text), Object.keys(all).sort(), `${label}: keys`);
  for (const key of Object.keys(all)) assert.deepEqual(historyOf(text, key), all[key], `${label}: ${key}`);
  assert.deepEqual(historyOf(text, 'no such key'), [], `${label}: unknown key`);
}

const line = (step: string, name: string, index: number, value: number, time = 1_700_000_000_000 + index) => JSON.stringify({ step, name, index, value, time }) + '\n';

test('names and one key read without the other lines equal the whole file grouped', () => {
  let text = '';
  for (let i = 0; i < 50; i++) text += line('train', 'loss', i, 1 / (i + 1)) + line('train', 'auc', i, i / 50) + line('eval', 'auc', i, i / 60) + line('train', 'val.loss', i, Number.NaN) + line('tune', 'lr', i, 0.1);
  agrees(text, 'interleaved');
  // A name two steps log is keyed by step; a dotted name one step logs keeps its dots.
  assert.deepEqual(historyKeysOf(text), ['eval.auc', 'loss', 'lr', 'train.auc', 'val.loss']);
  assert.equal(historyOf(text, 'eval.auc').length, 50);
  assert.equal(historyOf(text, 'auc').length, 0, 'a name two steps log has no plain key');
  assert.equal(historyOf(text, 'val.loss')[0]!.value, null, 'NaN was written as null and reads back so');
});

test('a torn last line, blank lines and a line that is not JSON are left out, as a whole parse leaves them', () => {
  const good = line('train', 'loss', 0, 0.5) + '\n' + line('train', 'loss', 1, 0.4) + 'not json}\n';
  agrees(good + line('train', 'loss', 2, 0.3).slice(0, 30), 'torn');
  agrees(good + line('train', 'acc', 0, 0.9).slice(0, 40), 'torn, a name only there');
  agrees('', 'empty');
});

test('names with quotes, backslashes, unicode or a field order of its own are read as JSON says', () => {
  const text = line('train', 'a"b', 0, 1) + line('train', 'c\\d', 0, 2) + line('tr"ain', 'e', 0, 3) + line('train', 'é ü', 0, 4) + JSON.stringify({ name: 'loss', value: 1, index: 0, time: 5, step: 'x' }) + '\n';
  agrees(text, 'escapes');
  agrees(line('train', 'é ü', 0, 4) + JSON.stringify({ name: 'loss', value: 1, index: 0, time: 5, step: 'x' }) + '\n' + JSON.stringify({ name: 'nostep', value: 1, index: 0, time: 5 }) + '\n', 'no backslash, other orders');
});

test('agrees with the whole parse on random files', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const steps = ['train', 'eval', 'a.b'];
  const names = ['loss', 'b.loss', 'acc', 'x/y', 'loss.b'];
  for (let round = 0; round < 40; round++) {
    let text = '';
    const n = Math.floor(rand() * 60);
    for (let i = 0; i < n; i++) text += line(steps[Math.floor(rand() * steps.length)]!, names[Math.floor(rand() * names.length)]!, i, rand());
    if (rand() < 0.3) text = text.slice(0, Math.floor(rand() * text.length));
    agrees(text, `round ${round}`);
  }
});
