// flowbench deploy / endpoints / undeploy through the bundled CLI on a real flow: the run's model served
// by a detached endpoint that outlives the command, found again by a later command, stopped by undeploy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, flowbench, processAlive, project } from '../cli/harness';
import { cardProjectFiles } from '../model/card-project';

async function predict(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('deploy latest serves the run\'s model; endpoints lists it live; undeploy stops it; a taken port is a clear error', async (t) => {
  ensureBuilt();
  const dir = project(t, cardProjectFiles());
  assert.equal(flowbench(dir, ['run']).code, 0);
  const pids: number[] = [];
  t.after(() => pids.forEach((p) => processAlive(p) && process.kill(p, 'SIGKILL')));

  // The working model changed since the run: deploy serves the run's own model, from the cache.
  writeFileSync(join(dir, 'models/model.onnx'), 'changed');
  const deployed = flowbench(dir, ['deploy', 'latest', '--json']);
  assert.equal(deployed.code, 0, deployed.stderr);
  const record = JSON.parse(deployed.stdout);
  pids.push(record.pid);
  assert.equal(record.name, 'card-test');
  assert.equal(record.status, 'running');
  assert.match(record.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(record.model, 'models/model.onnx');
  assert.ok(processAlive(record.pid), 'the endpoint outlives the deploy command');
  assert.ok(existsSync(join(dir, '.flowbench/deployments/card-test/baseline.json')), 'the drift baseline was written');

  const reply = await predict(record.url, [{ features: [1, 1, 0] }]);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  // The card project's model: sigmoid(2x + 0.3a + 0.3b - 0.3), weight param 2.
  assert.ok(Math.abs(reply.body.predictions[0] - 1 / (1 + Math.exp(-2))) < 1e-6, String(reply.body.predictions[0]));

  const listed = flowbench(dir, ['endpoints', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const [row] = JSON.parse(listed.stdout);
  assert.equal(row.status, 'running');
  assert.equal(row.runId, record.runId);
  assert.ok(row.uptimeMs >= 0);
  const human = flowbench(dir, ['endpoints']);
  assert.match(human.stdout, /card-test\s+running\s+local\s+http:\/\/127\.0\.0\.1:\d+/);

  const taken = flowbench(dir, ['deploy', 'latest', '--name', 'other', '--port', String(record.port)]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, new RegExp(`port ${record.port} on 127.0.0.1 is already in use; choose another with --port`));
  assert.equal(JSON.parse(flowbench(dir, ['endpoints', '--json']).stdout).find((r: { name: string }) => r.name === 'other').status, 'failed');

  const stopped = flowbench(dir, ['undeploy', 'card-test']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /Stopped card-test/);
  assert.ok(!processAlive(record.pid));
  const after = JSON.parse(flowbench(dir, ['endpoints', '--json']).stdout);
  assert.equal(after.find((r: { name: string }) => r.name === 'card-test').status, 'stopped');
  assert.equal(after.find((r: { name: string }) => r.name === 'card-test').requests, 1);
});

test('deploy refuses what it cannot do, with a remedy', (t) => {
  ensureBuilt();
  const dir = project(t, cardProjectFiles());
  const none = flowbench(dir, ['deploy', 'latest']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no run of flow 'card-test' has produced models\/model.onnx yet/);
  assert.match(flowbench(dir, ['deploy', 'latest', '--name', '../x']).stderr, /not a valid deployment name/);
  assert.match(flowbench(dir, ['deploy', 'latest', '--target', 'gpu']).stderr, /unknown target 'gpu'/);
  assert.match(flowbench(dir, ['deploy', 'latest', '--region', 'eu-west-1']).stderr, /need --target sagemaker/);
  assert.match(flowbench(dir, ['deploy', 'latest', '--port', '70000']).stderr, /--port expects a port number/);
  assert.match(flowbench(dir, ['undeploy', 'nothing']).stderr, /no deployment 'nothing'/);
  assert.match(flowbench(dir, ['endpoints']).stdout, /No deployments yet/);
});
