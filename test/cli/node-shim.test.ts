// Steps that say `node …` run even where no `node` is on PATH (the editor's CLI runs on Electron as Node on
// machines without a Node install): the run provides one that runs the CLI's own binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, flowbench, project } from './harness';

const flow = `flow: shim
steps:
  hello:
    run: node -e "require('fs').writeFileSync('out.txt', process.version)"
    outs: [out.txt]
`;

test('with no node on PATH a node step runs on the binary that runs the CLI', (t) => {
  ensureBuilt();
  const dir = project(t, { 'shim.flow.yaml': flow });
  const res = spawnSync(process.execPath, [cli, 'run', 'shim.flow.yaml'], {
    cwd: dir,
    encoding: 'utf8',
    env: { HOME: process.env.HOME, PATH: join(dir, 'no-such-bin'), NO_COLOR: '1' },
    timeout: 60_000,
  });
  assert.equal(res.status, 0, res.stdout + res.stderr);
  assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), process.version);
});

test('with node on PATH steps get PATH as it is', (t) => {
  ensureBuilt();
  const dir = project(t, { 'shim.flow.yaml': flow });
  const res = flowbench(dir, ['run', 'shim.flow.yaml']);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.equal(existsSync(join(dir, '.flowbench', 'bin')), false);
});
