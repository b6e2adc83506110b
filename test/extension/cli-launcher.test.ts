// "Install CLI in PATH": the launcher it writes runs the real bundled CLI, says when its folder is not on
// PATH, and never replaces a `flowbench` it did not write.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installLauncher, refreshLauncher } from '../../extension/cli-launcher';
import { cli, ensureBuilt, repo } from '../cli/harness';

before(() => ensureBuilt());

const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "flowbench bin's-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the launcher runs the bundled CLI: flowbench --version', (t) => {
  const binDir = join(tempDir(t), 'bin');
  const result = installLauncher({ binDir, nodePath: process.execPath, cliPath: cli, pathEnv: '/usr/bin' });
  assert.equal(result.file, join(binDir, 'flowbench'));
  assert.equal(statSync(result.file).mode & 0o777, 0o755);
  assert.equal(result.onPath, false);
  assert.equal(result.pathHint, `export PATH='${binDir.replace(/'/g, `'\\''`)}':"$PATH"`);
  const run = spawnSync('flowbench', ['--version'], { env: { ...process.env, PATH: `${binDir}:/usr/bin:/bin` }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), version);
  // The hint works as written.
  const hinted = spawnSync('sh', ['-c', `${result.pathHint}; flowbench --version`], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
  assert.equal(hinted.stdout.trim(), version, hinted.stderr);
});

test('on PATH it says so; reinstalling replaces its own launcher', (t) => {
  const binDir = tempDir(t);
  installLauncher({ binDir, nodePath: process.execPath, cliPath: '/nowhere/cli.js', pathEnv: `/usr/bin:${binDir}` });
  const stale = spawnSync(join(binDir, 'flowbench'), ['--version'], { encoding: 'utf8' });
  assert.equal(stale.status, 127);
  assert.match(stale.stderr, /\/nowhere\/cli\.js is gone .*Install CLI in PATH/);
  const again = installLauncher({ binDir, nodePath: process.execPath, cliPath: cli, pathEnv: `/usr/bin:${binDir}/` });
  assert.equal(again.onPath, true);
  assert.equal(again.pathHint, undefined);
  assert.equal(spawnSync(again.file, ['--version'], { encoding: 'utf8' }).stdout.trim(), version);
});

test('a flowbench it did not write is left alone', (t) => {
  const binDir = tempDir(t);
  writeFileSync(join(binDir, 'flowbench'), '#!/bin/sh\necho mine\n');
  assert.throws(() => installLauncher({ binDir, nodePath: process.execPath, cliPath: cli }), /exists and was not written by Flowbench/);
  assert.equal(readFileSync(join(binDir, 'flowbench'), 'utf8'), '#!/bin/sh\necho mine\n');
});

test('on activation an installed launcher is pointed at the running copy; others are left alone', (t) => {
  const binDir = tempDir(t);
  assert.equal(refreshLauncher({ binDir, nodePath: process.execPath, cliPath: cli }), 'none', 'nothing installed: nothing written');
  installLauncher({ binDir, nodePath: process.execPath, cliPath: '/old-version/dist/cli.js' });
  assert.equal(refreshLauncher({ binDir, nodePath: process.execPath, cliPath: cli }), 'updated');
  assert.equal(spawnSync(join(binDir, 'flowbench'), ['--version'], { encoding: 'utf8' }).stdout.trim(), version);
  assert.equal(refreshLauncher({ binDir, nodePath: process.execPath, cliPath: cli }), 'current');
  writeFileSync(join(binDir, 'flowbench'), '#!/bin/sh\necho mine\n');
  assert.equal(refreshLauncher({ binDir, nodePath: process.execPath, cliPath: cli }), 'none');
  assert.equal(readFileSync(join(binDir, 'flowbench'), 'utf8'), '#!/bin/sh\necho mine\n');
});
