// The state folder's lock: who holds it, and when a lock is stale (its holder dead, or from before a reboot).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { acquireStateLock, type LockHolder } from '../../core/engine/run-lock';
import { currentWriter } from '../../core/runs/liveness';

function stateDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-lock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const holder = (over: Partial<LockHolder>): string => JSON.stringify({ ...currentWriter(), runId: 'other-run', since: Date.now(), nonce: 'n1', ...over });

/** A pid that belonged to a process that has ended. */
function deadPid(): number {
  const res = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(res.stdout.trim());
}

test('a live holder keeps the lock: without waiting, the holder is named', async (t) => {
  const dir = stateDir(t);
  const first = await acquireStateLock(dir, 'run-1', { wait: false });
  assert.ok('lock' in first);
  const second = await acquireStateLock(dir, 'run-2', { wait: false });
  assert.ok('busy' in second, 'a second taker is refused');
  assert.deepEqual([second.busy.runId, second.busy.pid], ['run-1', process.pid]);
  first.lock.release();
  const third = await acquireStateLock(dir, 'run-3', { wait: false });
  assert.ok('lock' in third, 'free again once released');
  third.lock.release();
  assert.ok(!fs.existsSync(path.join(dir, 'lock')));
});

test('a waiting taker is told once who holds the lock, and gets it when released', async (t) => {
  const dir = stateDir(t);
  const first = await acquireStateLock(dir, 'run-1', { wait: false });
  assert.ok('lock' in first);
  const told: string[] = [];
  const waiting = acquireStateLock(dir, 'run-2', { wait: true, onWait: (h) => (told.push(h.runId), first.lock.release()) });
  const second = await waiting;
  assert.ok('lock' in second);
  assert.deepEqual(told, ['run-1']);
  second.lock.release();
});

test('a lock whose holder died, or that dates from before a reboot, is taken over', async (t) => {
  for (const stale of [holder({ pid: deadPid() }), holder({ bootId: 'a-boot-before-this-one' })]) {
    const dir = stateDir(t);
    fs.writeFileSync(path.join(dir, 'lock'), stale);
    const taken = await acquireStateLock(dir, 'mine', { wait: false });
    assert.ok('lock' in taken, `taken over from ${stale}`);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'lock'), 'utf8')).runId, 'mine');
    taken.lock.release();
  }
});

test('a take-over left half done by a process that died is finished by the next taker', async (t) => {
  const dir = stateDir(t);
  const stale = holder({ pid: deadPid() });
  fs.writeFileSync(path.join(dir, 'lock'), stale);
  const claim = path.join(dir, `lock.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.claim`);
  fs.writeFileSync(claim, holder({ pid: deadPid(), runId: 'claimer', nonce: 'n2' }));
  const taken = await acquireStateLock(dir, 'mine', { wait: false });
  assert.ok('lock' in taken);
  assert.ok(!fs.existsSync(claim), 'the dead claim is cleared');
  taken.lock.release();
});

test('a cancelled wait gives up without taking the lock', async (t) => {
  const dir = stateDir(t);
  const first = await acquireStateLock(dir, 'run-1', { wait: false });
  assert.ok('lock' in first);
  const abort = new AbortController();
  const waiting = acquireStateLock(dir, 'run-2', { wait: true, signal: abort.signal, onWait: () => abort.abort() });
  assert.deepEqual(await waiting, { cancelled: true });
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'lock'), 'utf8')).runId, 'run-1');
  first.lock.release();
});
