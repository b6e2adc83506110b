// Deployment records: atomic writes, names that are safe as files, and live status from the served process
// (alive by pid and start time, answering /ping), so a killed endpoint reads as stopped without a rewrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentNameProblem, listDeployments, readDeployment, writeDeployment } from '../../core/deploy/records';
import type { DeploymentRecord } from '../../core/deploy/types';
import { currentWriter } from '../../core/runs/liveness';

function stateDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-records-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const base = (over: Partial<DeploymentRecord>): DeploymentRecord => ({
  name: 'm', target: 'local', status: 'running', flow: 'a.flow.yaml', model: 'model.onnx', modelSha256: 'ab', runId: 'r1',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...over,
});

test('records round-trip, leave no temp files and refuse names that are not safe file names', (t) => {
  const dir = stateDir(t);
  writeDeployment(dir, base({ name: 'fraud-v2' }));
  assert.equal(readDeployment(dir, 'fraud-v2')?.name, 'fraud-v2');
  assert.deepEqual(readdirSync(join(dir, 'deployments')), ['fraud-v2.json']);
  assert.equal(readDeployment(dir, 'missing'), undefined);
  for (const bad of ['../x', 'a/b', '-a', 'a-', '', 'x'.repeat(64), 'a_b']) assert.ok(deploymentNameProblem(bad), bad);
  assert.throws(() => writeDeployment(dir, base({ name: '../escape' })), /not a valid deployment name/);
});

test('a torn or foreign file in deployments/ is skipped, not fatal', async (t) => {
  const dir = stateDir(t);
  writeDeployment(dir, base({ name: 'ok', status: 'stopped' }));
  writeFileSync(join(dir, 'deployments', 'torn.json'), '{"name": "torn", "tar');
  writeFileSync(join(dir, 'deployments', 'notes.txt'), 'hello');
  assert.deepEqual((await listDeployments(dir)).map((r) => r.name), ['ok']);
});

test('live status: answering → running, killed with -9 → stopped, alive but silent → failed', async (t) => {
  const dir = stateDir(t);
  const server = createServer((req, res) => res.writeHead(req.url === '/ping' ? 200 : 404).end()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeDeployment(dir, base({ name: 'live', pid: process.pid, writer: currentWriter(), url, status: 'starting' }));

  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  writeDeployment(dir, base({ name: 'killed', pid: child.pid, url, status: 'running' }));
  writeDeployment(dir, base({ name: 'silent', pid: process.pid, url: 'http://127.0.0.1:9', status: 'running' }));
  // A live pid whose start time differs is another process that reused the pid.
  writeDeployment(dir, base({ name: 'reused', pid: process.pid, writer: { ...currentWriter(), pidStart: '1' }, url, status: 'running' }));

  let byName = Object.fromEntries((await listDeployments(dir)).map((r) => [r.name, r]));
  assert.equal(byName.live!.status, 'running');
  assert.equal(byName.killed!.status, 'running');
  assert.equal(byName.silent!.status, 'failed');
  assert.match(byName.silent!.failureReason!, /does not answer/);
  assert.equal(byName.reused!.status, 'stopped');

  child.kill('SIGKILL');
  await once(child, 'exit');
  byName = Object.fromEntries((await listDeployments(dir)).map((r) => [r.name, r]));
  assert.equal(byName.killed!.status, 'stopped');
  assert.equal(readDeployment(dir, 'killed')!.status, 'running', 'readers never rewrite the record');
});
