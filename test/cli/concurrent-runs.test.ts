// Two `flowbench run` processes in one folder: the second waits for the first (and says for whom), or
// with --no-wait exits 75; a lock left by a killed run is taken over; read-only commands never wait.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../../core/engine/events';
import { ensureBuilt, flowbench, parseEvents, project, startFlowbench, waitFor } from './harness';

before(() => ensureBuilt());

const FAN_OUT = 40;

// `b2` waits for the test to create `go`, so run B holds the folder as long as the test needs.
const FLOW = `flow: shared
steps:
  b1:
    run: echo b1 > b1.txt
    outs: [b1.txt]
  b2:
    run: while [ ! -f go ]; do sleep 0.05; done; echo b2 > b2.txt
    deps: [b1.txt]
    outs: [b2.txt]
  a:
    run: echo a > a.txt
    outs: [a.txt]
${Array.from({ length: FAN_OUT }, (_, i) => `  a${i}:\n    run: echo ${i} > a${i}.txt\n    deps: [a.txt]\n    outs: [a${i}.txt]\n`).join('')}`;

type Started = ReturnType<typeof startFlowbench> & { events: () => RunEvent[] };

/** Starts the CLI with --events and keeps the events it printed so far readable. */
function start(dir: string, args: string[]): Started {
  const run = startFlowbench(dir, [...args, '--events']);
  let stdout = '';
  run.child.stdout!.on('data', (d) => (stdout += d));
  return { ...run, events: () => parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1)) };
}

const started = (run: Started, step: string) => run.events().some((e) => e.type === 'step-start' && e.step === step);

function setUp(t: { after: (fn: () => void) => void }): string {
  const dir = project(t, { 'shared.flow.yaml': FLOW, go: '' });
  const first = flowbench(dir, ['run']);
  assert.equal(first.code, 0, first.stderr);
  return dir;
}

function statusOf(dir: string): Record<string, string> {
  const res = flowbench(dir, ['status', '--json'], 20_000);
  assert.equal(res.code, 0, res.stderr);
  return Object.fromEntries((JSON.parse(res.stdout).steps as { step: string; state: string }[]).map((s) => [s.step, s.state]));
}

test('a second run waits for the first, says for whom, and no journal record is lost', async (t) => {
  const dir = setUp(t);
  const journal = join(dir, '.flowbench', 'state', 'shared.jsonl');
  rmGo(dir);
  const b = start(dir, ['run', '--step', 'b2', '--upstream', '--force']);
  t.after(() => b.child.kill('SIGKILL'));
  await waitFor('run B to start b2', () => started(b, 'b2'));
  const inode = statSync(journal).ino;
  const bRun = b.events().find((e) => e.type === 'run-start')!;

  // Forced runs of the other steps while B still has the journal open, until one of them would compact
  // it (the journal is rewritten once it holds 4× more lines than steps): B's last record must survive.
  const others: Started[] = [];
  for (let i = 0; i < 8; i++) {
    const a = start(dir, ['run', '--step', 'a', '--downstream', '--force']);
    t.after(() => a.child.kill('SIGKILL'));
    others.push(a);
    let exited = false;
    void a.done.then(() => (exited = true));
    await waitFor('run A to end or to wait', () => exited || /Waiting for run/.test(a.stderr()), 60_000);
    if (!exited || statSync(journal).ino !== inode) break;
  }
  writeFileSync(join(dir, 'go'), '');
  const bEnd = await b.done;
  assert.equal(bEnd.code, 0, bEnd.stderr);
  for (const a of others) assert.equal((await a.done).code, 0, a.stderr());

  assert.deepEqual(
    Object.entries(statusOf(dir)).filter(([, state]) => state !== 'up-to-date'),
    [],
    'every step that succeeded in either run has its record',
  );
  const waiter = others[0];
  const waiting = waiter.events().find((e) => e.type === 'run-waiting');
  assert.ok(waiting?.type === 'run-waiting', 'the second run announces that it waits');
  assert.deepEqual([waiting.holder.runId, waiting.holder.pid], [bRun.runId, b.child.pid]);
  assert.ok(waiter.stderr().includes(`Waiting for run ${bRun.runId}, pid ${b.child.pid}`), waiter.stderr());
  const startedAt = waiter.events().find((e) => e.type === 'run-start')!.time;
  const bEndedAt = b.events().find((e) => e.type === 'run-end')!.time;
  assert.ok(startedAt >= bEndedAt, 'the second run started only after the first ended');
});

test('--no-wait exits 75 naming the run in the way; Ctrl-C gives up waiting; status, runs and show do not wait', async (t) => {
  const dir = setUp(t);
  rmGo(dir);
  const b = start(dir, ['run', '--step', 'b2', '--upstream', '--force']);
  t.after(() => b.child.kill('SIGKILL'));
  await waitFor('run B to start b2', () => started(b, 'b2'));
  const bRun = b.events().find((e) => e.type === 'run-start')!;
  const runsBefore = readdirSync(join(dir, '.flowbench', 'runs')).length;

  const busy = flowbench(dir, ['run', '--no-wait'], 20_000);
  assert.equal(busy.code, 75, busy.stderr);
  assert.match(busy.stderr, new RegExp(`run ${bRun.runId}, pid ${b.child.pid} is using`));
  assert.equal(readdirSync(join(dir, '.flowbench', 'runs')).length, runsBefore, 'the refused run leaves no run folder');

  assert.equal(statusOf(dir).b2, 'never-run', 'status answers while B runs (b2 is being rebuilt)');
  const runs = flowbench(dir, ['runs', '--json'], 20_000);
  assert.equal(runs.code, 0, runs.stderr);
  assert.equal(flowbench(dir, ['show', bRun.runId], 20_000).code, 0);

  const waiter = start(dir, ['run']);
  t.after(() => waiter.child.kill('SIGKILL'));
  await waitFor('the third run to wait', () => waiter.events().some((e) => e.type === 'run-waiting'));
  waiter.child.kill('SIGINT');
  assert.equal((await waiter.done).code, 130, 'Ctrl-C while waiting cancels');
  assert.equal(readdirSync(join(dir, '.flowbench', 'runs')).length, runsBefore, 'the cancelled wait leaves no run folder');
  assert.ok(!waiter.events().some((e) => e.type === 'run-start'));

  writeFileSync(join(dir, 'go'), '');
  assert.equal((await b.done).code, 0);
});

test('a lock left by a killed run is taken over, not waited on', async (t) => {
  const dir = setUp(t);
  rmGo(dir);
  const b = start(dir, ['run', '--step', 'b2', '--upstream', '--force']);
  await waitFor('run B to start b2', () => started(b, 'b2'));
  assert.ok(existsSync(join(dir, '.flowbench', 'lock')));
  b.child.kill('SIGKILL');
  await b.done;
  writeFileSync(join(dir, 'go'), ''); // lets b2's orphaned shell loop end, if it outlived the runner

  const next = flowbench(dir, ['run', '--no-wait'], 60_000);
  assert.equal(next.code, 0, next.stderr);
  assert.doesNotMatch(next.stderr, /Waiting for run/);
  assert.match(next.stderr, /interrupted/);
  assert.ok(!existsSync(join(dir, '.flowbench', 'lock')), 'the lock is released when the run ends');
});

function rmGo(dir: string): void {
  rmSync(join(dir, 'go'));
}
