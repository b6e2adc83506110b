// `flowbench validate` and usage errors, through the real CLI.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cli, ensureBuilt, flowbench, project } from './harness';

before(() => ensureBuilt());

const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?\n/);

test('malformed YAML: file:line:col errors, exit 1', (t) => {
  const dir = project(t, { 'y.flow.yaml': 'flow: y\nsteps:\n  a:\n    run: echo hi\n  b: [unclosed\n' });
  const res = flowbench(dir, ['validate']);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /^y\.flow\.yaml:5:\d+: error FB\d{3} /m);
  noStackTrace(res.stdout + res.stderr);
});

test('a cycle is reported with its path at each edge, exit 1', (t) => {
  const dir = project(t, {
    'c.flow.yaml': 'flow: c\nsteps:\n  a:\n    run: echo a\n    needs: [c]\n  b:\n    run: echo b\n    needs: [a]\n  c:\n    run: echo c\n    needs: [b]\n',
  });
  const res = flowbench(dir, ['validate', 'c.flow.yaml']);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /^c\.flow\.yaml:5:13: error FB030 Cycle: a → b → c → a/m);
  assert.match(res.stdout, /^c\.flow\.yaml:11:13: error FB030 /m);
});

test('a missing dep points at its line; warnings alone exit 0', (t) => {
  const dir = project(t, { 'd.flow.yaml': 'flow: d\nsteps:\n  a:\n    run: echo a\n    deps: [missing/file.txt]\n' });
  const res = flowbench(dir, ['validate']);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /^d\.flow\.yaml:5:12: error FB050 Dep 'missing\/file\.txt'/m);

  const ok = project(t, { 'ok.flow.yaml': 'flow: ok\nsteps:\n  a:\n    run: echo a\n' });
  const clean = flowbench(ok, ['validate']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
});

test('running a broken flow prints its problems and runs nothing', (t) => {
  const dir = project(t, { 'd.flow.yaml': 'flow: d\nsteps:\n  a:\n    run: touch ran.txt\n    deps: [missing.txt]\n' });
  const res = flowbench(dir, ['run']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /d\.flow\.yaml:5:\d+: error FB050/);
  assert.equal(flowbench(dir, ['runs', '--json']).stdout.trim(), '[]');
});

test('usage errors exit 2 with a remedy and no stack trace', (t) => {
  const two = project(t, { 'a.flow.yaml': 'flow: a\nsteps: {}\n', 'b.flow.yaml': 'flow: b\nsteps: {}\n' });
  const several = flowbench(two, ['run']);
  assert.equal(several.code, 2);
  assert.match(several.stderr, /several flow files .*a\.flow\.yaml, b\.flow\.yaml/);

  const none = project(t, { 'readme.txt': 'nothing here' });
  const missing = flowbench(none, ['status']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no \*\.flow\.yaml file in .*\n.*name the flow file/);

  const flow = project(t, { 'p.flow.yaml': 'flow: p\nparams: { learning_rate: 0.1 }\nsteps:\n  a:\n    run: echo ${params.learning_rate}\n' });
  const badParam = flowbench(flow, ['run', '--set', 'learning_rat=0.2']);
  assert.equal(badParam.code, 2);
  assert.match(badParam.stderr, /unknown param 'learning_rat': did you mean 'learning_rate'\?/);
  const badStep = flowbench(flow, ['run', '--step', 'b']);
  assert.equal(badStep.code, 2);
  assert.match(badStep.stderr, /unknown step 'b'/);
  const badFlag = flowbench(flow, ['run', '--frobnicate']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /Unknown option '--frobnicate'/);
  const badJobs = flowbench(flow, ['run', '-j', 'zero']);
  assert.equal(badJobs.code, 2);
  const unknownCommand = flowbench(flow, ['deploy-everything']);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /unknown command 'deploy-everything'/);
  const noRun = flowbench(flow, ['show', 'nope']);
  assert.equal(noRun.code, 2);
  assert.match(noRun.stderr, /no run 'nope'/);
  for (const res of [several, missing, badParam, badStep, badFlag, badJobs, unknownCommand, noRun]) noStackTrace(res.stderr);
});

test('an unexpected error is one line plus a hint; FLOWBENCH_DEBUG=1 adds the stack', (t) => {
  // The state folder is a file, so nothing can be recorded: not a usage error, not a step failure.
  const dir = project(t, { 'c.flow.yaml': 'flow: c\nsteps:\n  a:\n    run: echo hi\n', '.flowbench': 'not a folder\n' });
  const res = flowbench(dir, ['run']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^flowbench: internal error: ENOTDIR.*\.flowbench/m);
  assert.match(res.stderr, /run with FLOWBENCH_DEBUG=1 for details/);
  noStackTrace(res.stderr);
  const debug = spawnSync(process.execPath, [cli, 'run'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLOWBENCH_DEBUG: '1' } });
  assert.match(debug.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
});
