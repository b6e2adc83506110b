import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { currentWriter, pidAlive, shownStatus, writerState } from '../../core/runs/liveness';
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

test('a writer that exited but was never reaped (a zombie) is dead', async (t) => {
  // `head` waits for a byte on fd 3 in the background of a shell that then becomes `sleep`, which never waits
  // for its children: once the shell has become `sleep`, the byte lets `head` exit into a zombie.
  const parent = spawn('/bin/sh', ['-c', 'head -c1 <&3 >/dev/null & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  t.after(() => parent.kill('SIGKILL'));
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  const until = async (what: () => boolean) => {
    while (!what()) await new Promise((r) => setImmediate(r));
  };
  await until(() => readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() === 'sleep');
  assert.equal(pidAlive(pid), true, 'waiting for its byte');
  (parent.stdio[3] as NodeJS.WritableStream).write('x');
  await until(() => /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')));
  assert.doesNotThrow(() => process.kill(pid, 0), 'the zombie still answers signal 0');
  assert.equal(pidAlive(pid), false);
  assert.equal(writerState({ ...currentWriter(), pid, pidStart: undefined }), 'dead');
  assert.equal(pidAlive(parent.pid!), true);
});
