// The engine's own writes failing mid-run (a full disk, the log folder removed): the run ends as failed
// with a one-line reason, its steps stopped, exit code 1, and what is on disk still reads.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../core/runs/types';
import { ensureBuilt, flowbench, markedProcesses, parseEvents, project, readAllRecords, startFlowbench, treeGone, treeMark, waitFor } from './harness';

before(() => ensureBuilt());

/** No stack frames, no "internal error": one clear line about the write that failed. */
function assertCleanFailure(stderr: string, reason: RegExp): void {
  assert.doesNotMatch(stderr, /^\s+at /m, stderr);
  assert.doesNotMatch(stderr, /internal error/, stderr);
  assert.match(stderr, new RegExp(`^flowbench: run \\S+ failed: ${reason.source}$`, 'm'), stderr);
}

type TestContext = { after: (fn: () => void) => void; skip: (message: string) => void };

/**
 * A 3 MB tmpfs as the project folder holding `files`, unmounted when the test ends, and the mark for the
 * tree of the run in it; undefined (test skipped) where mounting is refused.
 */
function smallDisk(t: TestContext, files: Record<string, string>): { dir: string; mark: { name: string; value: string } } | undefined {
  const mark = treeMark();
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-full-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmdirSync(dir);
    t.skip(`cannot mount a small tmpfs here (${mount.stderr.trim() || mount.error?.message}); the full-disk case is not exercised`);
    return undefined;
  }
  t.after(() => {
    // Steps left running (the failure this test looks for) would keep the mount busy.
    for (const pid of markedProcesses(mark)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const umount = spawnSync('umount', [dir], { encoding: 'utf8' });
    if (umount.status !== 0) throw new Error(`could not unmount ${dir}: ${umount.stderr}`);
    rmdirSync(dir);
  });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, mark };
}

test('a full disk: the run fails with the reason, its steps are stopped, the records still read', async (t) => {
  // `chatty` fills the disk through its log; `nap` runs beside it and must be stopped with the run.
  const disk = smallDisk(t, {
    'full.flow.yaml': `flow: full
steps:
  chatty:
    run: yes 0123456789012345678901234567890123456789 | head -c 6000000; sleep 60
  nap:
    run: echo $$ > nap.pid; sleep 60
`,
  });
  if (!disk) return;
  const { dir, mark } = disk;
  const { done } = startFlowbench(dir, ['run', '-j', '2'], { [mark.name]: mark.value });
  const res = await done;
  const ended = Date.now();
  assert.equal(res.code, 1, res.stderr);
  assertCleanFailure(res.stderr, /could not write the log of step chatty: ENOSPC: no space left on device.*/);
  await treeGone(mark, ended, 2000);

  // With room again, the next command finds the run ended: failed if its last record got out, else interrupted.
  rmSync(join(dir, '.flowbench', 'logs'), { recursive: true, force: true });
  const listed = flowbench(dir, ['runs', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const [run] = JSON.parse(listed.stdout) as RunSummary[];
  assert.ok(run.status === 'failed' || run.status === 'interrupted', `run is ${run.status}`);
  const record = readAllRecords(dir).get(run.id)!;
  assert.equal(record.status, run.status);
  assert.notEqual(record.steps.nap.state, 'running');
  // No temp file from a write that failed is left beside the record.
  assert.deepEqual(readdirSync(join(dir, '.flowbench', 'runs', run.id)).filter((f) => f.endsWith('.tmp')), []);
});

test('the log folder removed mid-run: the run is recorded failed with the reason, its steps stopped', async (t) => {
  const dir = project(t, {
    'gone.flow.yaml': `flow: gone
steps:
  talker:
    run: echo first; while [ ! -f go ]; do sleep 0.05; done; echo second; sleep 60
`,
  });
  const mark = treeMark();
  const { done } = startFlowbench(dir, ['run', '--events'], { [mark.name]: mark.value });
  const logs = join(dir, '.flowbench', 'logs');
  await waitFor('the first log line on disk', () => existsSync(logs) && readdirSync(logs).some((run) => existsSync(join(logs, run, 'talker.log'))));
  rmSync(logs, { recursive: true, force: true });
  writeFileSync(join(dir, 'go'), '');
  const res = await done;
  const ended = Date.now();
  assert.equal(res.code, 1, res.stderr);
  assertCleanFailure(res.stderr, /could not write the log of step talker: ENOENT: no such file or directory, open '.*talker\.log'/);
  await treeGone(mark, ended, 2000);

  const [record] = [...readAllRecords(dir).values()] as { status: string; message?: string; steps: Record<string, { state: string; message?: string }> }[];
  assert.equal(record.status, 'failed');
  assert.match(record.message ?? '', /^could not write the log of step talker: ENOENT/);
  assert.equal(record.steps.talker.state, 'cancelled');
  assert.match(record.steps.talker.message ?? '', /^stopped: could not write the log of step talker/);
  const [id] = [...readAllRecords(dir).keys()];
  assert.match(flowbench(dir, ['show', id]).stdout, /^Stopped\s+could not write the log of step talker: ENOENT/m);
  const status = JSON.parse(flowbench(dir, ['status', '--json']).stdout).steps as { step: string; state: string }[];
  assert.notEqual(status.find((s) => s.step === 'talker')?.state, 'up-to-date');
});

test('a full disk while caching outs: the run fails with the reason and the other step is stopped', async (t) => {
  // `big` fits, its copy into the cache does not; `nap` runs beside it and must be stopped with the run.
  const disk = smallDisk(t, {
    'cache.flow.yaml': `flow: cache
steps:
  big:
    run: head -c 2000000 /dev/urandom > big.bin
    outs: [big.bin]
  nap:
    run: sleep 60
`,
  });
  if (!disk) return;
  const { dir, mark } = disk;
  const { done } = startFlowbench(dir, ['run', '-j', '2', '--events'], { [mark.name]: mark.value });
  const res = await done;
  const ended = Date.now();
  assert.equal(res.code, 1, res.stderr);
  assertCleanFailure(res.stderr, /step big: ENOSPC: no space left on device.*/);
  await treeGone(mark, ended, 2000);
  const ends = new Map(parseEvents(res.stdout).filter((e) => e.type === 'step-end').map((e) => [e.step, e]));
  assert.equal(ends.get('big')?.type === 'step-end' && ends.get('big')?.outcome, 'failed');
  const nap = ends.get('nap');
  assert.ok(nap?.type === 'step-end' && nap.outcome === 'cancelled' && /^stopped: step big: ENOSPC/.test(nap.message ?? ''), JSON.stringify(nap));
  rmSync(join(dir, 'big.bin'));
  const status = JSON.parse(flowbench(dir, ['status', '--json']).stdout).steps as { step: string; state: string }[];
  assert.notEqual(status.find((s) => s.step === 'big')?.state, 'up-to-date');
});
