// Stopping runs from outside: Ctrl-C on the CLI, and the CLI itself killed mid-run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from '../../core/runs/types';
import { ensureBuilt, flowbench, outcomes, parseEvents, processAlive, project, readAllRecords, startFlowbench, treeGone, treeMark, waitFor } from './harness';

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

// Ignores SIGTERM, and leaves a child in a session of its own (outside the step's process group) that ignores it too.
const STUBBORN = `flow: stubborn
steps:
  stubborn:
    run: trap '' TERM; setsid sh -c "trap '' TERM; echo started > away.txt; sleep 60" & echo $$ > step.pid; sleep 60
    outs: [never.txt]
`;

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

test('the CLI killed with SIGKILL mid-run: its steps are ended within 2 s, the next command marks the run interrupted', async (t) => {
  const dir = project(t, { 'slow.flow.yaml': FLOW });
  const mark = treeMark();
  const { child, done } = startFlowbench(dir, ['run'], { [mark.name]: mark.value });
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
  const killed = Date.now();
  child.kill('SIGKILL');
  const res = await done;
  assert.equal(res.signal, 'SIGKILL');
  // Nobody else ends the orphaned steps: the run's reaper sees the CLI die and ends them.
  await treeGone(mark, killed, 2000);

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

test('Ctrl-C ends a step that ignores SIGTERM, and the session it left, within 2 s', async (t) => {
  const dir = project(t, { 'stubborn.flow.yaml': STUBBORN });
  const mark = treeMark();
  const { child, done } = startFlowbench(dir, ['run'], { [mark.name]: mark.value });
  await waitFor('the step and its child to start', () => existsSync(join(dir, 'step.pid')) && existsSync(join(dir, 'away.txt')));
  const stopped = Date.now();
  child.kill('SIGINT');
  // The CLI carries the mark too: it must have exited as well.
  await treeGone(mark, stopped, 2000);
  const res = await done;
  assert.equal(res.code, 130, res.stderr);
  assert.equal([...readAllRecords(dir).values()][0].status, 'cancelled');
});

test('a second Ctrl-C quits at once, and a step that ignores SIGTERM is still gone within 2 s', async (t) => {
  const dir = project(t, { 'stubborn.flow.yaml': STUBBORN });
  const mark = treeMark();
  const { child, done, stderr } = startFlowbench(dir, ['run'], { [mark.name]: mark.value });
  await waitFor('the step to start', () => existsSync(join(dir, 'step.pid')) && existsSync(join(dir, 'away.txt')));
  const first = Date.now();
  child.kill('SIGINT');
  // Signals of one kind do not queue: send the second only once the first was handled.
  await waitFor('the cancel notice', () => /Cancelling/.test(stderr()));
  child.kill('SIGINT');
  const res = await done;
  assert.equal(res.code, 130);
  // The runner gives a step 1 s between SIGTERM and SIGKILL; the second Ctrl-C does not wait for that.
  assert.ok(Date.now() - first < 900, `exited ${Date.now() - first} ms after the first Ctrl-C`);
  // The step's group was registered with the run's reaper, which ends it (the session it left got TERM with it).
  await treeGone(mark, first, 2000);
  // The next command finds the run unfinished and says so; nothing is corrupt.
  const listed = flowbench(dir, ['runs', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const [run] = JSON.parse(listed.stdout) as RunSummary[];
  assert.equal(run.status, 'interrupted');
  assert.equal(readAllRecords(dir).get(run.id)?.status, 'interrupted');
});
