// The request log read from real files as the endpoint leaves them: appended in pieces, a line torn
// mid-write, rotation to requests.1.jsonl, and the series and deltas built from it.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LOG_FILE, MonitorAggregator, RequestLogTail, ROTATED_FILE } from '../../core/deploy/monitor';
import type { RequestLogLine } from '../../core/deploy/types';

const T0 = 1_800_000_000_000; // a bucket boundary for 10 s buckets
const line = (t: number, ms: number, status = 200): RequestLogLine => ({ t, ms, status, rows: 1, batch: 1, inputs: { x: 1 }, prediction: 0.5 });
const text = (lines: RequestLogLine[]) => lines.map((l) => JSON.stringify(l) + '\n').join('');

function logDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-monitor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('tail: a line written in two pieces is read once whole; a garbled line is skipped and counted', async (t) => {
  const dir = logDir(t);
  const file = join(dir, LOG_FILE);
  const tail = new RequestLogTail(dir);
  assert.deepEqual(await tail.read(), []);
  const whole = JSON.stringify(line(T0, 5));
  writeFileSync(file, text([line(T0 - 1, 3)]) + whole.slice(0, 20));
  assert.deepEqual((await tail.read()).map((l) => l.ms), [3]);
  appendFileSync(file, whole.slice(20) + '\n');
  assert.deepEqual((await tail.read()).map((l) => l.ms), [5]);
  // A writer killed mid-line, then a new writer appending: the torn piece merges into one bad line.
  appendFileSync(file, '{"t":1,"ms":' + text([line(T0 + 1, 7)]) + text([line(T0 + 2, 8)]));
  assert.deepEqual((await tail.read()).map((l) => l.ms), [8]);
  assert.equal(tail.bad, 1);
  assert.deepEqual(await tail.read(), []);
});

test('tail: follows rotation, reading the rest of the old file before the new one', async (t) => {
  const dir = logDir(t);
  const file = join(dir, LOG_FILE);
  writeFileSync(file, text([line(T0, 1), line(T0, 2)]));
  const tail = new RequestLogTail(dir);
  assert.equal((await tail.read()).length, 2);
  appendFileSync(file, text([line(T0, 3)]));
  renameSync(file, join(dir, ROTATED_FILE));
  writeFileSync(file, text([line(T0, 4)]));
  assert.deepEqual((await tail.read()).map((l) => l.ms), [3, 4]);
  // A fresh reader (the panel opened later) sees the rotated history first.
  assert.deepEqual((await new RequestLogTail(dir).read()).map((l) => l.ms), [1, 2, 3, 4]);
});

test('aggregator: counts, errors and nearest-rank percentiles per bucket; deltas carry only changed buckets', () => {
  const agg = new MonitorAggregator(10_000);
  const first = Array.from({ length: 100 }, (_, i) => line(T0 + i * 10, i + 1, i < 5 ? 500 : 200));
  agg.add([...first, line(T0 + 10_000, 40, 400)]);
  const s = agg.series();
  assert.deepEqual(s.t, [T0, T0 + 10_000]);
  assert.deepEqual(s.requests, [100, 1]);
  assert.deepEqual(s.errors, [5, 1]);
  assert.deepEqual([s.p50[0], s.p95[0], s.p99[0]], [50, 95, 99]);
  assert.deepEqual([s.p50[1], s.p99[1]], [40, 40]);
  assert.deepEqual(agg.delta().t, []);
  agg.add([line(T0 + 10_500, 60), line(T0 + 25_000, 2)]);
  const d = agg.delta();
  assert.deepEqual(d.t, [T0 + 10_000, T0 + 20_000]);
  assert.deepEqual(d.requests, [2, 1]);
  assert.deepEqual(d.p99, [60, 2]);
  assert.equal(agg.window().length, 95 + 2);
});
