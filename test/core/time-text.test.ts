import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatTime } from '../../core/time-text';

test('durations read the same on every surface, each at the unit that matters', () => {
  assert.equal(formatDuration(undefined), '');
  assert.equal(formatDuration(849.6), '850ms');
  assert.equal(formatDuration(12_449), '12.4s');
  assert.equal(formatDuration(3 * 60_000 + 5_000), '3m05s');
  assert.equal(formatDuration(2 * 3_600_000 + 7 * 60_000 + 59_000), '2h07m');
});

test('times are local, to the second, and sort as they read', () => {
  const t = new Date(2026, 0, 5, 7, 3, 9).getTime();
  assert.equal(formatTime(t), '2026-01-05 07:03:09');
  assert.ok(formatTime(t) < formatTime(new Date(2026, 10, 5, 7, 3, 9).getTime()));
});
