import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsample, downsampleAll, ema, extent, groupSeries } from '../../core/runs/series';
import type { MetricPoint } from '../../core/runs/types';

const T0 = Date.UTC(2026, 0, 1);
const pts = (values: number[], step = 1): MetricPoint[] => values.map((value, i) => ({ index: i * step, value, time: T0 + i * 1000 }));

test('downsample: an empty history gives no buckets', () => {
  const s = downsample('r', 'loss', [], 'step', 100);
  assert.deepEqual([s.x, s.min, s.max, s.last, s.skipped], [[], [], [], [], 0]);
});

test('downsample: one point is one bucket at its own x', () => {
  for (const x of ['step', 'time', 'relative'] as const) {
    const s = downsample('r', 'loss', [{ index: 7, value: 0.5, time: T0 }], x, 100);
    assert.deepEqual(s.x, [x === 'step' ? 7 : x === 'time' ? T0 / 1000 : 0], x);
    assert.deepEqual([s.min, s.max, s.last], [[0.5], [0.5], [0.5]]);
  }
});

test('downsample: a history shorter than the bucket count comes back exactly', () => {
  const values = [5, 3, 4, 1, 2];
  const s = downsample('r', 'loss', pts(values), 'step', 1000);
  assert.deepEqual(s.x, [0, 1, 2, 3, 4]);
  assert.deepEqual(s.last, values);
});

test('downsample: keeps min, max and last of each bucket', () => {
  // 10 steps into 2 buckets of 5 steps each.
  const s = downsample('r', 'loss', pts([3, 9, 1, 4, 5, 6, 2, 8, 7, 0]), 'step', 2);
  assert.deepEqual(s.x, [0, 5]);
  assert.deepEqual(s.min, [1, 0]);
  assert.deepEqual(s.max, [9, 8]);
  assert.deepEqual(s.last, [5, 0]);
});

test('downsample: unsorted steps are ordered; duplicate steps merge, the later-logged value is last', () => {
  const points: MetricPoint[] = [
    { index: 2, value: 20, time: T0 + 2 },
    { index: 0, value: 0, time: T0 },
    { index: 1, value: 10, time: T0 + 1 },
    { index: 1, value: 11, time: T0 + 3 },
  ];
  const s = downsample('r', 'loss', points, 'step', 100);
  assert.deepEqual(s.x, [0, 1, 2]);
  assert.deepEqual(s.min, [0, 10, 20]);
  assert.deepEqual(s.max, [0, 11, 20]);
  assert.deepEqual(s.last, [0, 11, 20]);
});

test('downsample: NaN and infinite points are skipped and counted', () => {
  const s = downsample('r', 'loss', pts([1, NaN, 3, Infinity, -Infinity, 6]), 'step', 100);
  assert.equal(s.skipped, 3);
  assert.deepEqual(s.x, [0, 2, 5]);
  assert.deepEqual(s.last, [1, 3, 6]);
  const all = downsample('r', 'loss', pts([NaN, NaN]), 'step', 100);
  assert.deepEqual([all.x, all.skipped], [[], 2]);
});

test('downsample: a range keeps its buckets plus the nearest point outside on each side', () => {
  const s = downsample('r', 'loss', pts(Array.from({ length: 100 }, (_, i) => i)), 'step', 10, [40, 59]);
  assert.equal(s.x[0], 39);
  assert.equal(s.x[s.x.length - 1], 60);
  const inside = s.x.slice(1, -1);
  assert.equal(inside.length, 10);
  assert.ok(inside.every((x) => x >= 40 && x <= 59));
  assert.deepEqual(s.last.slice(1, -1), [41, 43, 45, 47, 49, 51, 53, 55, 57, 59]);
});

test('downsample: time and relative x are seconds; time buckets sit on their centres', () => {
  const values = Array.from({ length: 100 }, (_, i) => i);
  const rel = downsample('r', 'loss', pts(values), 'relative', 10);
  assert.equal(rel.x.length, 10);
  assert.ok(Math.abs(rel.x[0] - 99 / 20) < 1e-9, `first centre ${rel.x[0]}`);
  const abs = downsample('r', 'loss', pts(values), 'time', 10);
  assert.ok(Math.abs(abs.x[0] - (T0 / 1000 + 99 / 20)) < 1e-6);
  assert.deepEqual(abs.last, rel.last);
});

test('downsample: a 10 MB history (250,000 points) stays within the bucket count', () => {
  const n = 250_000;
  const points: MetricPoint[] = Array.from({ length: n }, (_, i) => ({ index: i, value: Math.sin(i / 1000) + (i === 123_456 ? 50 : 0), time: T0 + i }));
  assert.ok(JSON.stringify(points).length > 10_000_000);
  const s = downsample('r', 'loss', points, 'step', 1000);
  assert.ok(s.x.length <= 1000 && s.x.length > 900, `${s.x.length} buckets`);
  assert.equal(Math.max(...s.max), points[123_456].value, 'a one-point spike survives in max');
  assert.equal(s.last[s.last.length - 1], points[n - 1].value);
});

test('downsampleAll: runs of different lengths share one grid', () => {
  const [a, b] = downsampleAll([{ runId: 'a', points: pts(Array.from({ length: 1000 }, (_, i) => i)) }, { runId: 'b', points: pts(Array.from({ length: 500 }, (_, i) => -i)) }], 'loss', 'step', 100);
  assert.deepEqual(b.x, a.x.slice(0, b.x.length));
  assert.equal(a.x.length, 100);
  assert.ok(extent(pts([1, 2, 3]), 'step')![1] === 2);
});

test('ema: debiased like TensorBoard, weight 0 is the identity, NaN passes through', () => {
  assert.deepEqual(ema([1, 2, 3], 0), [1, 2, 3]);
  // Debiased: a constant series stays constant from the first value on.
  for (const v of ema([4, 4, 4, 4], 0.9)) assert.ok(Math.abs(v - 4) < 1e-12);
  const s = ema([0, 10], 0.5);
  assert.equal(s[0], 0);
  // acc = 0.5*0 + 0.5*10 = 5 after acc0 = 0; debias 1 - 0.25 = 0.75 → 6.666…
  assert.ok(Math.abs(s[1] - 5 / 0.75) < 1e-12);
  const withNaN = ema([1, NaN, 1], 0.6);
  assert.ok(Number.isNaN(withNaN[1]));
  assert.ok(Math.abs(withNaN[2] - 1) < 1e-12);
  assert.deepEqual(ema([], 0.5), []);
});

test('groupSeries: mean and min/max band per x over each group', () => {
  const series = downsampleAll(
    [
      { runId: 'a', points: pts([1, 2, 3]) },
      { runId: 'b', points: pts([3, 4, 5]) },
      { runId: 'c', points: pts([10, 10]) },
    ],
    'loss',
    'step',
    100,
  );
  const groups = groupSeries(series, (id) => (id === 'c' ? 'lr=0.1' : 'lr=0.01'));
  assert.deepEqual(groups.map((g) => g.group), ['lr=0.01', 'lr=0.1']);
  const [g] = groups;
  assert.deepEqual(g.runIds, ['a', 'b']);
  assert.deepEqual(g.x, [0, 1, 2]);
  assert.deepEqual(g.mean, [2, 3, 4]);
  assert.deepEqual(g.min, [1, 2, 3]);
  assert.deepEqual(g.max, [3, 4, 5]);
  assert.deepEqual(groups[1].mean, [10, 10]);
});
