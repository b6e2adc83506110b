// Which lines the runs table renders (webviews/experiments/layout.ts leadingRange) and which cells clip
// (format.ts mayOverflow): pure functions, so their rules are checked here and their effect in Chromium
// (test/webviews/experiments.test.ts, test/bench/experiments.bench.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leadingRange } from '../../webviews/experiments/layout';
import { mayOverflow } from '../../webviews/experiments/format';

const range = (startIndex: number, endIndex: number, count = 10_000) => ({ startIndex, endIndex, overscan: 10, count });

test('not scrolling, the lines beyond the screen are split evenly around it', () => {
  const lines = leadingRange(range(100, 129), null);
  assert.equal(lines[0], 90);
  assert.equal(lines.at(-1), 139);
  assert.equal(lines.length, 50);
});

test('scrolling, nearly all of them lie ahead of the scroll, and as many lines are rendered as at rest', () => {
  const down = leadingRange(range(100, 129), 'forward');
  assert.deepEqual([down[0], down.at(-1), down.length], [98, 147, 50]);
  const up = leadingRange(range(100, 129), 'backward');
  assert.deepEqual([up[0], up.at(-1), up.length], [82, 131, 50]);
  // Consecutive lines, so slots (line modulo the count) are each held once.
  assert.ok(down.every((line, i) => i === 0 || line === down[i - 1]! + 1));
});

test('at either end the window shifts inward instead of shrinking, and never exceeds the lines there are', () => {
  assert.deepEqual(leadingRange(range(0, 29), 'backward').slice(0, 2), [0, 1]);
  assert.equal(leadingRange(range(0, 29), 'backward').length, 50);
  const end = leadingRange(range(9_975, 9_999), 'forward');
  assert.deepEqual([end.at(-1), end.length], [9_999, 45]);
  assert.deepEqual(leadingRange(range(0, 4, 5), 'forward'), [0, 1, 2, 3, 4]);
});

test('a cell clips only when its text may not fit, judged on the wide side', () => {
  // 110 px columns of a 13 px font: 7.5 em for the text.
  const room = (110 - 12) / 13;
  assert.equal(mayOverflow('0.1234', room), false);
  assert.equal(mayOverflow('succeeded', room), false);
  assert.equal(mayOverflow('-1.235e-5', room), false);
  assert.equal(mayOverflow('abc123def456', room), true);
  // The same length in capitals, or in a wide script, no longer surely fits.
  assert.equal(mayOverflow('SUCCEEDED', room), true);
  assert.equal(mayOverflow('実験の結果です', room), true);
  assert.equal(mayOverflow('', 0), false);
});
