// Drives the real CLI (dist/cli.js, built by `npm test`) the way the extension does: events parsed
// from stdout, a second run fully cached, and Stop killing a step's whole process tree within 2 s.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../../core/engine/events';
import { CliRun, cliArguments, type RunRequest } from '../../extension/cli-run';
import { ensureBuilt } from '../cli/harness';
import { makeQuickWorkspace, processesWith } from '../e2e/fixtures';
import { project, treeGone, treeMark, waitFor } from '../cli/harness';

before(() => ensureBuilt());

const cliPath = resolve('dist/cli.js');

async function run(request: RunRequest, dir: string, onEvent: (e: RunEvent, cli: CliRun) => void = () => {}) {
  assert.ok(existsSync(cliPath), 'dist/cli.js is missing: run `npm run build` first');
  const events: RunEvent[] = [];
  const cli: CliRun = new CliRun(request, { cliPath }, dir, {
    onEvent: (e) => {
      events.push(e);
      onEvent(e, cli);
    },
    onOutput: () => {},
  });
  const end = await cli.done;
  return { events, end, cli };
}

test('builds the CLI command line from a request', () => {
  const args = cliArguments(
    { flowFile: '/w/a.flow.yaml', step: 'train', scope: 'upstream', force: true, overrides: { lr: '0.2' } },
    { cliPath: '/x/cli.js', jobs: 3 },
  );
  assert.deepEqual(args, ['/x/cli.js', 'run', '/w/a.flow.yaml', '--step', 'train', '--upstream', '--set', 'lr=0.2', '--force', '-j', '3', '--events']);
});

test('reads the event stream of a real run; a second run is all cached', async () => {
  const { dir, quickFlow: flowFile } = makeQuickWorkspace();
  try {
    const first = await run({ flowFile }, dir);
    assert.equal(first.end.exitCode, 0, first.end.stderrTail);
    const ends = first.events.filter((e) => e.type === 'step-end');
    assert.deepEqual(ends.map((e) => [e.step, e.outcome]), [['prepare', 'succeeded'], ['report', 'succeeded']]);
    assert.ok(first.events.some((e) => e.type === 'step-log' && e.text.includes('written')));
    assert.equal(readFileSync(join(dir, 'out/b.txt'), 'utf8'), 'HELLO');

    const second = await run({ flowFile, step: 'report', scope: 'upstream' }, dir);
    const outcomes = second.events.filter((e) => e.type === 'step-end').map((e) => e.outcome);
    assert.deepEqual(outcomes, ['cached', 'cached']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a value typed in "Run with params" reaches the step as one word and runs nothing', async () => {
  const { dir, quickFlow: flowFile } = makeQuickWorkspace();
  try {
    const greeting = "a b; touch pwned $(touch pwned2) 'q'";
    assert.deepEqual(cliArguments({ flowFile, overrides: { greeting } }, { cliPath }).slice(3, 5), ['--set', `greeting=${greeting}`]);
    const { end, events } = await run({ flowFile, step: 'prepare', overrides: { greeting } }, dir);
    assert.equal(end.exitCode, 0, end.stderrTail);
    assert.deepEqual(events.filter((e) => e.type === 'step-end').map((e) => e.type === 'step-end' && e.outcome), ['succeeded']);
    assert.equal(readFileSync(join(dir, 'out/a.txt'), 'utf8'), greeting);
    assert.equal(existsSync(join(dir, 'pwned')), false);
    assert.equal(existsSync(join(dir, 'pwned2')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stop cancels a running step and kills its whole process tree within 2 s', async () => {
  const { dir, slowFlow: flowFile, marker } = makeQuickWorkspace();
  try {
    let stoppedAt = 0;
    const { events, end } = await run({ flowFile }, dir, (event, cli) => {
      if (event.type === 'step-start') {
        // Stop once both of the step's processes are running.
        void (async () => {
          const deadline = Date.now() + 10_000;
          while (processesWith(marker).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          stoppedAt = Date.now();
          cli.stop();
        })();
      }
    });
    const elapsed = Date.now() - stoppedAt;
    assert.ok(stoppedAt > 0, 'the step never started');
    assert.ok(elapsed < 2000, `stop took ${elapsed} ms`);
    assert.ok(end.stopped);
    const ends = events.filter((e) => e.type === 'step-end').map((e) => [e.step, e.outcome]);
    assert.deepEqual(ends, [['nap', 'cancelled']], 'the stopped step reports its end as cancelled');
    assert.deepEqual(processesWith(marker), []);
  } finally {
    for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

// Ignores SIGTERM, and leaves a child in a session of its own (outside the step's process group) that ignores it too.
const STUBBORN = `flow: stubborn
steps:
  stubborn:
    run: trap '' TERM; setsid sh -c "trap '' TERM; echo started > away.txt; sleep 60" & sleep 60
`;

/** Starts a run of STUBBORN whose whole process tree carries a mark, and waits until both its processes run. */
async function startStubborn(t: { after: (fn: () => void) => void }) {
  const dir = project(t, { 'stubborn.flow.yaml': STUBBORN });
  const mark = treeMark();
  process.env[mark.name] = mark.value;
  let cli: CliRun;
  try {
    cli = new CliRun({ flowFile: join(dir, 'stubborn.flow.yaml') }, { cliPath }, dir, { onEvent: () => {}, onOutput: () => {} });
  } finally {
    delete process.env[mark.name];
  }
  await waitFor('the step and its child to start', () => existsSync(join(dir, 'away.txt')));
  return { cli, mark };
}

test('stop ends a step that ignores SIGTERM, and the session it left, within 2 s', async (t) => {
  const { cli, mark } = await startStubborn(t);
  const stoppedAt = Date.now();
  cli.stop();
  await treeGone(mark, stoppedAt, 2000);
  const end = await cli.done;
  assert.ok(end.stopped);
  // The CLI itself ended the steps and recorded the run; it was not killed.
  assert.equal(end.exitCode, 130, end.stderrTail);
});

test('stop ends the steps within 2 s even when the CLI is wedged', async (t) => {
  const { cli, mark } = await startStubborn(t);
  // A stopped CLI cannot act on SIGINT: the steps must die without its help.
  process.kill(cli.pid!, 'SIGSTOP');
  const stoppedAt = Date.now();
  cli.stop();
  await treeGone(mark, stoppedAt, 2000);
  const end = await cli.done;
  assert.equal(end.signal, 'SIGKILL');
});
