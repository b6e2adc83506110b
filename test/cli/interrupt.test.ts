// Stopping runs from outside: Ctrl-C on the CLI, and the CLI itself killed mid-run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from '../../core/runs/types';
import { ensureBuilt, flowbench, outcomes, parseEvents, processAlive, project, readAllRecords, startFlowbench, waitFor } from './harness';

before(() => ensureBuilt());

// `slow` leaves a background grandchild and its own pid behind, so the test can check the whole tree is gone.
const FLOW = `flow: slow
steps:
  quick:
    run: echo ready > ready.txt
    outs: [ready.txt]
  slow:
    run: sleep 60 & echo $! > grandchild.pid; echo $$ > step.pid; wait; echo done > slow.txt
    deps: [ready.txt]
    outs: [slow.txt]
  after:
    run: cat slow.txt > after.txt
    deps: [slow.txt]
    outs: [after.txt]
`;

const pidIn = (dir: string, file: string) => Number(readFileSync(join(dir, file), 'utf8').trim());

test('Ctrl-C: exit 130, run recorded as cancelled, step process tree gone, nothing corrupt', async (t) => {
  const dir = project(t, { 'slow.flow.yaml': FLOW });
  const { child, done } = startFlowbench(dir, ['run']);
  await waitFor('the slow step to start', () => existsSync(join(dir, 'grandchild.pid')) && existsSync(join(dir, 'step.pid')));
  const pids = [pidIn(dir, 'step.pid'), pidIn(dir, 'grandchild.pid')];
  assert.ok(pids.every(processAlive));

  child.kill('SIGINT');
  const res = await done;
  assert.equal(res.code, 130, res.stderr);
  assert.match(res.stderr, /Cancelling/);
  await waitFor('the step process tree to be gone', () => !pids.some(processAlive), 5000);

  const records = [...readAllRecords(dir).values()];
  assert.equal(records.length, 1);
  assert.equal(records[0].status, 'cancelled');
  assert.equal(records[0].steps.quick.state, 'succeeded');
  assert.equal(records[0].steps.slow.state, 'cancelled');
  assert.equal(records[0].steps.after.state, 'skipped');

  const status = JSON.parse(flowbench(dir, ['status', '--json']).stdout).steps as { step: string; state: string }[];
  assert.equal(status.find((s) => s.step === 'slow')?.state, 'never-run');
  // The cache is intact: quick stays cached, slow runs again.
  const again = startFlowbench(dir, ['run', '--events']);
  await waitFor('the slow step to start again', () => existsSync(join(dir, 'step.pid')) && pidIn(dir, 'step.pid') !== pids[0]);
  again.child.kill('SIGINT');
  const second = await again.done;
  assert.equal(second.code, 130);
  assert.deepEqual(outcomes(parseEvents(second.stdout)), { quick: 'cached', slow: 'cancelled', after: 'skipped' });
});

test('the CLI killed with SIGKILL mid-run: the next command marks the run interrupted', async (t) => {
  const dir = project(t, { 'slow.flow.yaml': FLOW });
  const { child, done } = startFlowbench(dir, ['run']);
  await waitFor('the slow step to start', () => existsSync(join(dir, 'step.pid')));
  // Step writes are coalesced: kill only once the record on disk says the slow step is running.
  const slowRunning = () => {
    try {
      return [...readAllRecords(dir).values()].some((r) => r.steps.slow?.state === 'running');
    } catch {
      return false; // no record or index written yet
    }
  };
  await waitFor('the record of the running step', slowRunning);
  child.kill('SIGKILL');
  const res = await done;
  assert.equal(res.signal, 'SIGKILL');
  // Orphaned by the kill, the step's own processes are not the CLI's to clean up any more; end them here.
  for (const file of ['step.pid', 'grandchild.pid']) {
    try {
      process.kill(pidIn(dir, file), 'SIGKILL');
    } catch {
      // already gone
    }
  }

  const listed = flowbench(dir, ['runs', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const [run] = JSON.parse(listed.stdout) as RunSummary[];
  assert.equal(run.status, 'interrupted');
  assert.match(listed.stderr, new RegExp(`Run ${run.id} was left unfinished .*interrupted`));
  const record = readAllRecords(dir).get(run.id)!;
  assert.equal(record.status, 'interrupted');
  assert.equal(record.steps.slow.state, 'interrupted');
  assert.equal(record.steps.quick.state, 'succeeded');
  const status = JSON.parse(flowbench(dir, ['status', '--json']).stdout).steps as { step: string; state: string }[];
  assert.notEqual(status.find((s) => s.step === 'slow')?.state, 'up-to-date');
});

test('a second Ctrl-C quits at once, even while a step ignores SIGTERM', async (t) => {
  const dir = project(t, {
    'stubborn.flow.yaml': `flow: stubborn\nsteps:\n  stubborn:\n    run: trap '' TERM; echo $$ > step.pid; sleep 30\n    outs: [never.txt]\n`,
  });
  const { child, done, stderr } = startFlowbench(dir, ['run']);
  await waitFor('the step to start', () => existsSync(join(dir, 'step.pid')));
  const killStep = () => {
    try {
      process.kill(-pidIn(dir, 'step.pid'), 'SIGKILL');
    } catch {
      // already gone
    }
  };
  t.after(killStep);
  const first = Date.now();
  child.kill('SIGINT');
  // Signals of one kind do not queue: send the second only once the first was handled.
  await waitFor('the cancel notice', () => /Cancelling/.test(stderr()));
  child.kill('SIGINT');
  const res = await done;
  assert.equal(res.code, 130);
  // The runner gives a step 1.5 s between SIGTERM and SIGKILL; the second Ctrl-C does not wait for that.
  assert.ok(Date.now() - first < 1400, `exited ${Date.now() - first} ms after the first Ctrl-C`);
  killStep();
  // The next command finds the run unfinished and says so; nothing is corrupt.
  const listed = flowbench(dir, ['runs', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const [run] = JSON.parse(listed.stdout) as RunSummary[];
  assert.equal(run.status, 'interrupted');
  assert.equal(readAllRecords(dir).get(run.id)?.status, 'interrupted');
});
