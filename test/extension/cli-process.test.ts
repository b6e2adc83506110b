// The one CLI child the extension spawns, with a stand-in "CLI" that misbehaves the ways a real one can: it
// ignores SIGINT and leaves a process of its own in another group. (cli-run.test.ts and deploy-cli.test.ts
// drive the real CLI through it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, stoppedBy } from '../../extension/cli-process';
import { treeGone, treeMark } from '../cli/harness';

const STUBBORN = `
const { spawn } = require('node:child_process');
process.on('SIGINT', () => console.error('flowbench: not stopping'));
spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
console.log('first line');
console.error('working');
setInterval(() => {}, 1000);
`;

function stubborn(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-cli-process-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(dir, 'cli.js');
  writeFileSync(cli, STUBBORN);
  const mark = treeMark();
  return { cli, dir, mark, env: { ...process.env, [mark.name]: mark.value } };
}

test('a deadline kills a CLI that would never end, and the process it left in another group', { timeout: 30_000 }, async (t) => {
  const { cli, dir, mark, env } = stubborn(t);
  const end = await new CliProcess(cli, [], { cwd: dir, env, timeoutMs: 2000 }).done;
  assert.equal(end.timedOut, true);
  assert.equal(end.stopped, false);
  assert.equal(end.signal, 'SIGKILL');
  assert.equal(stoppedBy(end), 'it took too long');
  await treeGone(mark, Date.now(), 3000);
});

test('stop: SIGINT first, then the whole tree after the grace; an abort signal is a stop', { timeout: 30_000 }, async (t) => {
  const { cli, dir, mark, env } = stubborn(t);
  const abort = new AbortController();
  const child = new CliProcess(cli, [], { cwd: dir, env, graceMs: 300, signal: abort.signal, onStderrLine: (l) => l === 'working' && abort.abort() });
  const end = await child.done;
  assert.equal(end.stopped, true);
  assert.equal(end.timedOut, false);
  assert.equal(end.signal, 'SIGKILL');
  assert.match(end.stderrTail, /^working\nflowbench: not stopping$/, 'the CLI was asked first');
  assert.equal(end.stdout, 'first line\n');
  await treeGone(mark, Date.now(), 3000);
});

test('a CLI that cannot start ends with the reason in its stderr tail', async () => {
  const end = await new CliProcess('cli.js', [], { cwd: tmpdir(), nodePath: '/nonexistent/node' }).done;
  assert.equal(end.code, null);
  assert.match(end.stderrTail, /could not start the Flowbench CLI: .*ENOENT/);
});
