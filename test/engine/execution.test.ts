import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../core/engine/events';
import { flowStatus } from '../../core/engine/status';
import { isAlive, outcomes, workspace } from './workspace';

const ends = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end');
const endOf = (events: RunEvent[], step: string) => ends(events).find((e) => e.step === step)!;
const logLines = (events: RunEvent[], step: string) =>
  events.filter((e): e is Extract<RunEvent, { type: 'step-log' }> => e.type === 'step-log' && e.step === step).map((e) => e.text);

test('independent steps run in parallel, dependent ones wait', async (t) => {
  const ws = workspace(`flow: par
steps:
  a: { run: sleep 0.5 }
  b: { run: sleep 0.5 }
  c: { run: echo done, needs: [a, b] }
`);
  t.after(ws.cleanup);
  const { result, events } = await ws.run({ jobs: 2 });
  assert.equal(result.status, 'succeeded');
  const time = (type: string, step: string) => events.find((e) => e.type === type && 'step' in e && e.step === step)!.time;
  assert.ok(time('step-start', 'b') < time('step-end', 'a'), 'b starts before a ends');
  assert.ok(time('step-start', 'c') >= Math.max(time('step-end', 'a'), time('step-end', 'b')));

  const serial = await ws.run({ jobs: 1, force: true });
  const t2 = (type: string, step: string) => serial.events.find((e) => e.type === type && 'step' in e && e.step === step)!.time;
  assert.ok(t2('step-start', 'b') >= t2('step-end', 'a'), 'with -j 1 steps run one at a time');
});

test('a failing step skips its downstream, independent branches go on, and stderr locates the error', async (t) => {
  const ws = workspace(
    `flow: fail
steps:
  broken: { run: node steps/bad.mjs, outs: [x.txt] }
  after: { run: echo never > after.txt, needs: [broken] }
  other: { run: echo ok > other.txt, outs: [other.txt] }
`,
    { 'steps/bad.mjs': 'const a = 1;\nthrow new Error("boom");\n' },
  );
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.equal(result.status, 'failed');
  assert.deepEqual(outcomes(result), { broken: 'failed', after: 'skipped', other: 'succeeded' });
  const end = endOf(events, 'broken');
  assert.equal(end.message, 'exited with code 1');
  assert.deepEqual(end.location && { file: end.location.file, line: end.location.line }, { file: path.join(ws.dir, 'steps/bad.mjs'), line: 2 });
  assert.equal(endOf(events, 'after').message, 'upstream broken failed');
  assert.ok(!ws.exists('after.txt'));
  assert.ok(events.some((e) => e.type === 'run-end' && e.status === 'failed'));
});

test('a Python traceback points at the innermost frame in the flow folder', async (t) => {
  const ws = workspace(`flow: py
steps:
  train: { run: python3 train.py }
`, { 'train.py': 'def f():\n    raise ValueError("bad")\n\nf()\n' });
  t.after(ws.cleanup);
  const { events } = await ws.run();
  assert.deepEqual(endOf(events, 'train').location, { file: path.join(ws.dir, 'train.py'), line: 2 });
});

test('a step past its timeout is killed and fails with the limit in the message', async (t) => {
  const ws = workspace(`flow: slow
steps:
  slow: { run: sleep 20, timeout: 1 }
`);
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.equal(result.steps.get('slow')!.outcome, 'failed');
  assert.equal(endOf(events, 'slow').message, 'timed out after 1s');
  assert.ok(result.steps.get('slow')!.durationMs < 10_000);
});

test('retries re-run a failing step and events carry the attempt number', async (t) => {
  const ws = workspace(`flow: flaky
steps:
  flaky:
    run: echo x >> attempts.txt && test $(wc -l < attempts.txt) -ge 3 && echo ok > out.txt
    outs: [out.txt]
    retries: 3
`);
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.equal(result.steps.get('flaky')!.outcome, 'succeeded');
  assert.equal(result.steps.get('flaky')!.attempts, 3);
  assert.deepEqual(events.filter((e) => e.type === 'step-start').map((e) => e.type === 'step-start' && e.attempt), [1, 2, 3]);
  assert.ok(logLines(events, 'flaky').includes('flowbench: attempt 2 of 4'));
});

test('cancelling kills the whole process tree within 2 s and skips pending steps', async (t) => {
  const ws = workspace(`flow: cancel
steps:
  long: { run: "sh -c 'sleep 30 & echo $! > sleep.pid; wait'" }
  later: { run: echo later, needs: [long] }
`);
  t.after(ws.cleanup);
  const controller = new AbortController();
  const pidFile = path.join(ws.dir, 'sleep.pid');
  let sleepPid = 0;
  const poll = setInterval(() => {
    const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : '';
    if (text) {
      sleepPid = Number(text);
      clearInterval(poll);
      controller.abort();
    }
  }, 20);
  t.after(() => clearInterval(poll));
  const { result, events } = await ws.run({ signal: controller.signal });
  const abortedAt = Date.now();
  assert.ok(sleepPid > 0);
  assert.equal(result.status, 'cancelled');
  assert.deepEqual(outcomes(result), { long: 'cancelled', later: 'skipped' });
  while (isAlive(sleepPid) && Date.now() - abortedAt < 2000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(isAlive(sleepPid), false, 'the grandchild sleep is gone');
  assert.ok(events.some((e) => e.type === 'run-end' && e.status === 'cancelled'));
});

test('a tree that ignores SIGTERM is killed with SIGKILL after the grace period', async (t) => {
  const ws = workspace(`flow: stubborn
steps:
  stubborn: { run: "trap '' TERM; echo started; sleep 30" }
`);
  t.after(ws.cleanup);
  const controller = new AbortController();
  let abortedAt = 0;
  const { result } = await ws.run({
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'step-log' && e.text === 'started') {
        abortedAt = Date.now();
        controller.abort();
      }
    },
  });
  assert.equal(result.steps.get('stubborn')!.outcome, 'cancelled');
  assert.ok(abortedAt > 0);
  // Without the escalation it would take the full 30 s sleep.
  assert.ok(Date.now() - abortedAt < 10_000, `stopped ${Date.now() - abortedAt} ms after the abort`);
});

test('what a finished step left running is ended too, even when it ignores SIGTERM and closed its output', async (t) => {
  const ws = workspace(`flow: leftover
steps:
  leaves:
    run: |
      sh -c 'trap "" TERM; echo $$ > left.pid; exec sleep 30' </dev/null >/dev/null 2>&1 &
      while [ ! -s left.pid ]; do sleep 0.01; done
`);
  t.after(ws.cleanup);
  const { result } = await ws.run();
  const endedAt = Date.now();
  assert.equal(result.status, 'succeeded');
  const left = Number(ws.read('left.pid').trim());
  t.after(() => isAlive(left) && process.kill(left, 'SIGKILL'));
  while (isAlive(left) && Date.now() - endedAt < 2000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(isAlive(left), false, 'the leftover sleep is gone');
});

test('a step killed by SIGKILL fails and is never reported up to date afterwards', async (t) => {
  const ws = workspace(`flow: killed
steps:
  victim:
    run: echo partial > out.txt && if [ -f kill.flag ]; then kill -9 $$; fi
    outs: [out.txt]
`);
  t.after(ws.cleanup);
  assert.equal((await ws.run()).result.status, 'succeeded');
  ws.write('kill.flag', '');
  const { result, events } = await ws.run({ force: true });
  assert.equal(result.steps.get('victim')!.outcome, 'failed');
  assert.equal(endOf(events, 'victim').message, 'killed by SIGKILL');
  const status = await flowStatus(ws.flowFile);
  assert.notEqual(status.steps.get('victim')!.state, 'up-to-date');
  fs.rmSync(path.join(ws.dir, 'kill.flag'));
  const again = await ws.run();
  assert.notEqual(again.result.steps.get('victim')!.outcome, 'cached');
});

test('a declared out that was not produced fails the step', async (t) => {
  const ws = workspace(`flow: outs
steps:
  lazy: { run: echo nothing, outs: [model.bin], metrics: [m.json] }
`);
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.equal(result.steps.get('lazy')!.outcome, 'failed');
  assert.equal(endOf(events, 'lazy').message, 'declared out model.bin was not produced; declared metrics file m.json was not produced');
  assert.equal((await flowStatus(ws.flowFile)).steps.get('lazy')!.state, 'never-run');
});

test('metrics files are flattened; the metrics log becomes metric events and bad lines only warn', async (t) => {
  const ws = workspace(
    `flow: metrics
steps:
  train: { run: node train.mjs, metrics: [metrics/train.json] }
`,
    {
      'train.mjs': `import fs from 'node:fs';
const log = process.env.FLOWBENCH_METRICS_LOG;
fs.appendFileSync(log, JSON.stringify({ name: 'loss', value: 1 }) + '\\n');
fs.appendFileSync(log, JSON.stringify({ name: 'loss', value: 0.5 }) + '\\n');
fs.appendFileSync(log, 'not json\\n');
fs.appendFileSync(log, JSON.stringify({ name: 'loss', value: 0.25, step: 10 }) + '\\n');
fs.appendFileSync(log, JSON.stringify({ name: 'acc', value: 'high' }) + '\\n');
fs.appendFileSync(log, JSON.stringify({ name: 'acc', value: 0.7 }));
fs.mkdirSync('metrics', { recursive: true });
fs.writeFileSync('metrics/train.json', JSON.stringify({ accuracy: 0.9, slices: { jfk: { f1: 0.5 } }, note: 'text' }));
`,
    },
  );
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.equal(result.status, 'succeeded', result.steps.get('train')!.message);
  const points = events.filter((e) => e.type === 'metric').map((e) => e.type === 'metric' && [e.name, e.value, e.index]);
  assert.deepEqual(points, [['loss', 1, 0], ['loss', 0.5, 1], ['loss', 0.25, 10], ['acc', 0.7, 0]]);
  assert.deepEqual(endOf(events, 'train').metrics, { accuracy: 0.9, 'slices.jfk.f1': 0.5 });
  const warnings = logLines(events, 'train').filter((l) => l.startsWith('flowbench: warning'));
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /line 3 is not JSON/);
  // A cached step still reports its final metrics.
  const again = await ws.run();
  assert.deepEqual(endOf(again.events, 'train').metrics, { accuracy: 0.9, 'slices.jfk.f1': 0.5 });
});

test('steps get the documented environment, and logs are written per run and step', async (t) => {
  const ws = workspace(`flow: env
params:
  train: { learningRate: 0.1 }
  name: demo
steps:
  show:
    run: env | grep -E '^(FLOWBENCH_|MY_)' | sort > env.txt && echo wrote env
    outs: [env.txt]
    env: { MY_VAR: "lr-\${params.train.learningRate}" }
`);
  t.after(ws.cleanup);
  const { result } = await ws.run({ runId: '20260101-000000-abcd', overrides: { name: 'over' } });
  assert.equal(result.status, 'succeeded', result.steps.get('show')!.message);
  const env = Object.fromEntries(ws.read('env.txt').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(env.FLOWBENCH_RUN_ID, '20260101-000000-abcd');
  assert.equal(env.FLOWBENCH_STEP, 'show');
  assert.equal(env.FLOWBENCH_FLOW_ROOT, ws.dir);
  assert.deepEqual(JSON.parse(env.FLOWBENCH_PARAMS!), { 'train.learningRate': 0.1, name: 'over' });
  assert.equal(env.FLOWBENCH_PARAM_TRAIN_LEARNING_RATE, '0.1');
  assert.equal(env.FLOWBENCH_PARAM_NAME, 'over');
  assert.equal(env.FLOWBENCH_INPUTS, '{}');
  assert.equal(env.FLOWBENCH_METRICS_LOG, path.join(ws.dir, '.flowbench/logs/20260101-000000-abcd/show.metrics.jsonl'));
  assert.equal(env.MY_VAR, 'lr-0.1');
  assert.equal(ws.read('.flowbench/logs/20260101-000000-abcd/show.log'), 'wrote env\n');
});

test('step output is logged line by line, colours kept, to events and the log file', async (t) => {
  const ws = workspace(`flow: logs
steps:
  talk: { run: "printf 'one\\\\ntwo\\\\n\\\\033[31mred\\\\033[0m'; echo err >&2" }
`);
  t.after(ws.cleanup);
  const { result, events } = await ws.run({ runId: '20260101-000000-beef' });
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(logLines(events, 'talk').sort(), ['\u001b[31mred\u001b[0m', 'err', 'one', 'two']);
  const file = ws.read('.flowbench/logs/20260101-000000-beef/talk.log');
  assert.deepEqual(file.trim().split('\n').sort(), ['\u001b[31mred\u001b[0m', 'err', 'one', 'two']);
});

test('an invalid flow, an unknown step or an unknown param refuse to run with a clear message', async (t) => {
  const ws = workspace(`flow: bad
steps:
  a: { run: echo a, needs: [b] }
  b: { run: echo b, needs: [a] }
`);
  t.after(ws.cleanup);
  const { result, events } = await ws.run();
  assert.equal(result.status, 'failed');
  assert.match(result.message!, /(^|\/)test\.flow\.yaml:3:29: error FB030 Cycle: a → b → a\. .*\(a needs b\)\.$/m);
  assert.match(result.message!, /(^|\/)test\.flow\.yaml:4:29: error FB030 Cycle: a → b → a\. .*\(b needs a\)\.$/m);
  assert.equal(events.length, 0);
  ws.write('test.flow.yaml', 'flow: ok\nparams: { lr: 1 }\nsteps:\n  train: { run: echo a }\n');
  assert.match((await ws.run({ targets: ['trian'] })).result.message!, /unknown step 'trian': did you mean 'train'\?/);
  assert.match((await ws.run({ overrides: { rl: 2 } })).result.message!, /unknown param rl/);
  ws.write('test.flow.yaml', 'flow: ok\nsteps:\n  prep: { run: echo a > prep.txt, outs: [prep.txt] }\n  train:\n    run: echo b\n    deps: [prep.txt]\n    compute: { target: sagemaker, instance_type: ml.m5.xlarge, image: x }\n');
  const remote = await ws.run();
  assert.equal(remote.result.status, 'failed');
  assert.match(remote.result.message!, /step train runs on SageMaker and needs an execution role: set `role:`/);
  assert.equal(ws.exists('prep.txt'), false, 'nothing ran');
  assert.equal((await ws.run({ targets: ['prep'] })).result.status, 'succeeded', 'local steps alone still run');
});

test('running one step whose upstream never produced its outs fails with a remedy; a stale upstream only warns', async (t) => {
  const ws = workspace(`flow: scope
params: { n: 1 }
steps:
  make:
    run: echo \${params.n} > data.txt
    outs: [data.txt]
  use:
    run: cat data.txt > copy.txt
    deps: [data.txt]
    outs: [copy.txt]
`);
  t.after(ws.cleanup);
  const alone = await ws.run({ targets: ['use'] });
  assert.equal(alone.result.steps.get('use')!.outcome, 'failed');
  assert.equal(alone.result.steps.get('use')!.message, 'upstream make has not produced data.txt: run with --upstream');

  const withUpstream = await ws.run({ targets: ['use'], scope: 'upstream' });
  assert.deepEqual(outcomes(withUpstream.result), { make: 'succeeded', use: 'succeeded' });

  const stale = await ws.run({ targets: ['use'], overrides: { n: 2 }, force: true });
  assert.equal(stale.result.steps.get('use')!.outcome, 'succeeded');
  assert.ok(logLines(stale.events, 'use').some((l) => /warning: upstream make is stale \(params\.n 1 → 2\)/.test(l)));

  const down = await ws.run({ targets: ['make'], scope: 'downstream', overrides: { n: 3 } });
  assert.deepEqual(outcomes(down.result), { make: 'succeeded', use: 'succeeded' });
});

test('a throwing event listener does not strand the run: it finishes, then the error is thrown', async (t) => {
  const ws = workspace(`flow: listener
steps:
  a: { run: echo a > a.txt, outs: [a.txt] }
  b: { run: echo b > b.txt, outs: [b.txt], needs: [a] }
`);
  t.after(ws.cleanup);
  await assert.rejects(
    ws.run({
      onEvent: (e) => {
        if (e.type === 'step-start') throw new Error('listener bug');
      },
    }),
    /listener bug/,
  );
  assert.equal(ws.read('b.txt'), 'b\n');
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual([...status.steps.values()].map((s) => s.state), ['up-to-date', 'up-to-date']);
});

test('a cwd with ${params.x} runs in the folder the run\'s params name, and an override cannot lead it out of the project', async (t) => {
  const script = 'pwd > "$FLOWBENCH_FLOW_ROOT/where.txt"\n';
  const ws = workspace(`flow: cwd
params:
  dir: a
steps:
  where: { cwd: 'work/\${params.dir}', run: sh where.sh, outs: [where.txt] }
`, { 'work/a/where.sh': script, 'work/b/where.sh': script });
  t.after(ws.cleanup);
  const here = (dir: string) => fs.realpathSync(path.join(ws.dir, 'work', dir));
  const first = await ws.run();
  assert.deepEqual(outcomes(first.result), { where: 'succeeded' }, first.result.message ?? endOf(first.events, 'where').message);
  assert.equal(ws.read('where.txt').trim(), here('a'));

  const status = await flowStatus(ws.flowFile, { overrides: { dir: 'b' } });
  assert.match(status.steps.get('where')!.reasons.join('; '), /params\.dir/);
  const moved = await ws.run({ overrides: { dir: 'b' } });
  assert.deepEqual(outcomes(moved.result), { where: 'succeeded' });
  assert.equal(ws.read('where.txt').trim(), here('b'));

  const escaped = await ws.run({ overrides: { dir: '../..' } });
  assert.deepEqual(outcomes(escaped.result), { where: 'failed' });
  assert.match(endOf(escaped.events, 'where').message!, /^cwd 'work\/\.\.\/\.\.' lies outside the flow's folder/);
  assert.equal(ws.read('where.txt').trim(), here('b'), 'nothing ran outside the project');
});
