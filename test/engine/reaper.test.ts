import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { signalGroup } from '../../core/engine/process-tree';
import { Reaper } from '../../core/engine/reaper';

/** A `sleep` leading a process group of its own, as a step's shell does. */
function group(t: TestContext): { pgid: number; exited: Promise<unknown[]> } {
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  t.after(() => signalGroup(child.pid!, 'SIGKILL'));
  return { pgid: child.pid!, exited: once(child, 'exit') };
}

// The reaper reads its lines in order and signals only after the last one: once the still-registered group
// is ended, every earlier line, the deferred removal included, has been read.
test('the reaper ends registered groups and spares one removed just before the next registration', async (t) => {
  const removed = group(t);
  const kept = group(t);
  const reaper = new Reaper();
  reaper.add(removed.pgid);
  reaper.remove(removed.pgid);
  reaper.add(kept.pgid);
  reaper.close(); // as the runner's death would: EOF on the pipe
  assert.deepEqual((await kept.exited)[1], 'SIGTERM');
  assert.equal(signalGroup(removed.pgid, 0), true, 'the removed group is still alive');
});

test('a removal still pending when the reaper closes is delivered', async (t) => {
  const removed = group(t);
  const kept = group(t);
  const reaper = new Reaper();
  reaper.add(kept.pgid);
  reaper.add(removed.pgid);
  reaper.remove(removed.pgid);
  reaper.close();
  assert.deepEqual((await kept.exited)[1], 'SIGTERM');
  assert.equal(signalGroup(removed.pgid, 0), true, 'the removed group is still alive');
});
