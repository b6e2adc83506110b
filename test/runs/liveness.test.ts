import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { currentWriter, shownStatus, writerState } from '../../core/runs/liveness';
import type { RunSummary, WriterIdentity } from '../../core/runs/types';

test('the current process is alive; a finished one is dead', () => {
  const here = currentWriter();
  assert.equal(writerState(here), 'alive');
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  assert.equal(writerState({ ...here, pid: Number(child.stdout.trim()), pidStart: undefined }), 'dead');
});

test('a restarted host or a recycled pid means the writer is gone; another host is unknown', { skip: !currentWriter().bootId && 'no /proc boot id here' }, () => {
  const here = currentWriter();
  assert.equal(writerState({ ...here, bootId: 'another-boot' }), 'dead');
  // Same pid, different start time: the pid now belongs to another process.
  assert.equal(writerState({ ...here, pidStart: '1' }), 'dead');
  assert.equal(writerState({ ...here, hostname: `${here.hostname}-elsewhere` }), 'unknown');
});

test('readers show a running run whose writer died as interrupted, and a live one as running', () => {
  const here = currentWriter();
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const dead = { ...here, pid: Number(child.stdout.trim()), pidStart: undefined };
  const summary = (status: RunSummary['status'], writer?: WriterIdentity): RunSummary => ({
    id: 'r', flow: 'f', flowFile: 'f.flow.yaml', status, start: 0, params: {}, overrides: {}, metrics: {},
    counts: { ran: 0, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 }, code: { dirty: false }, writer,
  });
  assert.equal(shownStatus(summary('running', dead)), 'interrupted');
  assert.equal(shownStatus(summary('running', here)), 'running');
  assert.equal(shownStatus(summary('running')), 'running', 'no writer known: nothing to judge by');
  assert.equal(shownStatus(summary('succeeded', dead)), 'succeeded');
});
