// The run views on their own: the live terminal table and the summary lines, fed a real event sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { RunEvent, StepOutcome } from '../../core/engine/events';
import type { Output } from '../../core/cli/output';
import { RunProgress } from '../../core/cli/progress/run-progress';
import { countsLine, printSummary } from '../../core/cli/progress/summary';
import { ttyView } from '../../core/cli/progress/tty-view';
import { fakeRun } from '../runs/fake-run';

function capture(isTTY: boolean): { o: Output; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 60 });
  let text = '';
  stream.on('data', (d) => (text += d));
  return { o: { out: stream, err: stream, color: false }, text: () => text };
}

const ended = (events: RunEvent[], outcomes: Record<string, StepOutcome>) =>
  events.map((e) => (e.type === 'step-end' && outcomes[e.step] ? { ...e, outcome: outcomes[e.step] } : e));

test('the terminal table redraws in place and ends with each step outcome', () => {
  const { o, text } = capture(true);
  const progress = new RunProgress();
  const view = ttyView(o, progress);
  const events = fakeRun({ runId: '20261124-010000-aaaa', failStep: 'train' });
  for (const e of events) view.onEvent(e);
  view.stop();
  view.stop(); // idempotent: a second stop must not draw the table again
  const out = text();
  const frames = out.split('\x1b[0J');
  assert.ok(frames.length >= 3, 'drawn at start and at stop');
  assert.ok(out.includes('\x1b[3A'), 'moves the cursor back over the 3-line table');
  const last = frames[frames.length - 1];
  assert.match(last, /✓ prepare +1\.0s/);
  assert.match(last, /✗ train +1\.0s +failed: exit code 1/);
  assert.match(last, /– evaluate +skipped/);
  for (const l of out.split('\n')) assert.ok(l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length <= 60, `line fits the terminal: ${l}`);

  printSummary(o, progress, { showLogTail: true, stateDir: '/tmp/x/.flowbench' });
  assert.match(text(), /✗ train failed: exit code 1\n {2}│ hello from train\n {2}log: /);
  assert.match(text(), /1 ran, 0 cached, 0 restored, 1 failed, 1 skipped/);
});

test('summary lines: nothing to do, restored, mixed', () => {
  const count = (events: RunEvent[]) => {
    const p = new RunProgress();
    for (const e of events) p.apply(e);
    return countsLine(p);
  };
  const base = fakeRun({ runId: '20261124-010000-bbbb' });
  assert.equal(count(ended(base, { prepare: 'cached', train: 'cached', evaluate: 'cached' })), 'Nothing to do: all 3 steps up to date (cached).');
  assert.equal(count(ended(base, { prepare: 'cached', train: 'restored', evaluate: 'restored' })), 'Nothing ran: all 3 steps up to date (1 cached, 2 restored from the cache).');
  assert.equal(count(ended(base, { prepare: 'cached', train: 'restored' })), '1 ran, 1 cached, 1 restored');
});

test('the terminal table shows the engine\'s warnings even for a step that succeeds', () => {
  const { o, text } = capture(true);
  const view = ttyView(o, new RunProgress());
  const events = fakeRun({ runId: '20261124-010000-cccc' });
  const start = events.findIndex((e) => e.type === 'step-start');
  const warning = 'flowbench: warning: out/pipe is not a regular file (a FIFO, socket or device): left out of the cache and of restores';
  events.splice(start + 1, 0, { type: 'step-log', runId: '20261124-010000-cccc', step: 'prepare', stream: 'stderr', text: warning, time: 0 });
  for (const e of events) view.onEvent(e);
  view.stop();
  assert.ok(text().includes(`prepare: ${warning}\n`), text());
});
