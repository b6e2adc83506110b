// The editor's way to sweep: CliRun (as the extension spawns it) with the arguments "Run Sweep…" builds,
// read through the sweep's event lines; Stop cancels the queue and the running variants.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { CliRun } from '../../extension/cli-run';
import { adHocSweepArgs, parseSweepEvent } from '../../extension/sweep-args';
import type { SweepEvent } from '../../core/sweeps/run-sweep';
import { cli, ensureBuilt, flowbench, processAlive, readAllRecords, treeGone, treeMark, waitFor } from '../cli/harness';
import { FILES, miniProject } from './fixture';

before(() => ensureBuilt());

function start(flowFile: string, sweep: string[], env: Record<string, string> = {}) {
  const events: SweepEvent[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const run = new CliRun({ flowFile, sweep }, { cliPath: cli }, dirname(flowFile), {
    onEvent: () => {},
    onOutput: (line) => {
      const e = parseSweepEvent(line);
      if (e) events.push(e);
    },
  });
  process.env = saved;
  return { run, events };
}

test('a sweep built in quick inputs runs through CliRun and reports its progress', async (t) => {
  const dir = miniProject(t);
  const args = adHocSweepArgs([{ param: 'learning_rate', text: '0.001, 0.003' }, { param: 'epochs', text: '1..5' }], 2);
  assert.deepEqual(args, ['--grid', 'learning_rate=0.001,0.003', '--random', 'epochs=1..5', '--count', '2', '--name', 'ad-hoc']);
  const { run, events } = start(join(dir, 'mini.flow.yaml'), [...args, '-w', '2']);
  const end = await run.done;
  assert.equal(end.exitCode, 0, end.stderrTail);
  const last = events.filter((e) => e.type === 'sweep-progress').at(-1);
  assert.deepEqual(last && [last.done, last.total, last.running, last.failed], [4, 4, 0, 0]);
  const records = [...readAllRecords(dir).values()] as unknown as { sweep: { name: string }; params: { epochs: number } }[];
  assert.equal(records.length, 4);
  assert.ok(records.every((r) => r.sweep.name === 'ad-hoc' && r.params.epochs >= 1 && r.params.epochs < 5));
});

test('Stop cancels queued and running variants (their process trees too); --resume then records each variant once', async (t) => {
  const dir = miniProject(t, { 'mini.flow.yaml': FILES['mini.flow.yaml']!.replace('delay_ms: 0', 'delay_ms: 1500') });
  const mark = treeMark();
  const { run, events } = start(join(dir, 'mini.flow.yaml'), ['grid8', '-w', '2'], { [mark.name]: mark.value });
  await waitFor('one variant done and two running', () => events.some((e) => e.type === 'sweep-progress' && e.done >= 1 && e.running === 2), 90_000);
  const stoppedAt = Date.now();
  run.stop();
  const end = await run.done;
  assert.equal(end.exitCode, 130, end.stderrTail);
  await treeGone(mark, stoppedAt, 5000);
  assert.ok(!processAlive(run.pid!));
  const records = [...readAllRecords(dir).values()] as unknown as { status: string; sweep: { variant: number } }[];
  assert.ok(records.length < 8, 'queued variants did not start');
  assert.ok(records.some((r) => r.status === 'cancelled'), 'running variants were cancelled');
  assert.equal(events.at(-1)?.type, 'sweep-end');

  const resumed = flowbench(dir, ['sweep', 'grid8', '--resume', '-w', '2'], 120_000);
  assert.equal(resumed.code, 0, resumed.stderr);
  const after = [...readAllRecords(dir).values()] as unknown as { status: string; sweep: { variant: number } }[];
  assert.deepEqual(after.map((r) => r.sweep.variant).sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(after.every((r) => r.status === 'succeeded'));
});
