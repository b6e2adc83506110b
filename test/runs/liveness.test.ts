import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { currentWriter, writerState } from '../../core/runs/liveness';

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
