// The monitor's series grows by the host's deltas: a bucket already shown is replaced, newer ones append
// in order (an out-of-order one too), and the oldest fall off past the cap; a fresh read becomes a delta of what changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MonitorSeries } from '../../webviews/endpoint-monitor/contract';
import { changedBuckets, mergeSeries } from '../../webviews/endpoint-monitor/series';

const series = (t: number[], requests: number[]): MonitorSeries => ({ bucketMs: 10, t, requests, errors: requests.map(() => 0), p50: requests.map((r) => r), p95: requests.map(() => null), p99: requests.map(() => null) });

test('mergeSeries: replace, append, reorder, cap', () => {
  const shown = series([0, 10, 20], [1, 2, 3]);
  assert.deepEqual(mergeSeries(shown, series([20, 30], [5, 6]), 10).requests, [1, 2, 5, 6]);
  const late = mergeSeries(shown, series([40, 30], [8, 7]), 10);
  assert.deepEqual([late.t, late.requests, late.p50], [[0, 10, 20, 30, 40], [1, 2, 3, 7, 8], [1, 2, 3, 7, 8]]);
  const capped = mergeSeries(shown, series([30, 40], [4, 5]), 3);
  assert.deepEqual([capped.t, capped.requests], [[20, 30, 40], [3, 4, 5]]);
  assert.deepEqual(shown.requests, [1, 2, 3], 'the shown series is not changed in place');
});

test('changedBuckets: only new buckets and those whose values changed; other widths are not comparable', () => {
  const shown = series([0, 10, 20], [1, 2, 3]);
  const fresh = series([10, 20, 30], [2, 4, 0]);
  const delta = changedBuckets(shown, fresh)!;
  assert.deepEqual([delta.t, delta.requests, delta.p50], [[20, 30], [4, 0], [4, 0]]);
  assert.deepEqual(mergeSeries(shown, delta, 10).requests, [1, 2, 4, 0], 'merged, it is the fresh read over what was shown');
  assert.deepEqual(changedBuckets(shown, series([10, 20], [2, 3]))!.t, []);
  assert.equal(changedBuckets(shown, { ...fresh, bucketMs: 60 }), undefined);
});
