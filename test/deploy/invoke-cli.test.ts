// flowbench invoke through the bundled CLI: against the fake AWS server for a SageMaker deployment (the
// InvokeEndpoint call's endpoint, content type and body; a body over the payload limit, an endpoint that is
// not InService or not deployed make no InvokeEndpoint call; ModelError and access errors in plain words), and
// against a real local endpoint (the sample row, --row, --body CSV, the endpoint's own 413, a stopped one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, flowbench, processAlive, project } from '../cli/harness';
import { FakeAwsError } from '../helpers/fake-aws/server';
import { deployProjectFiles } from './deploy-project';
import { BUCKET, cliProject, ROLE } from './sagemaker-fixture';
const MB = 1024 * 1024;

interface Kserve {
  inputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
}

const DEPLOY = ['deploy', 'latest', '--target', 'sagemaker', '--role', ROLE, '--bucket', BUCKET, '--region', 'us-east-1'];

test('invoke a SageMaker deployment: the sample row as Triton\'s request, --row, the limits, ModelError, access denied, not deployed', async (t) => {
  const { dir, fake, sm, cli } = await cliProject(t);
  sm.script('deploy-test', { polls: 0 });
  const deployed = await cli([...DEPLOY, '--serverless-memory', '2048', '--json']);
  assert.equal(deployed.code, 0, deployed.stderr);

  const seen: { endpointName: string; contentType: string; body: string }[] = [];
  let modelError = false;
  fake.onInvoke((req) => {
    seen.push({ endpointName: req.endpointName, contentType: req.contentType, body: req.body.toString() });
    if (modelError) return { status: 424, body: JSON.stringify({ __type: 'ModelError', message: 'Received client error (400) from primary', OriginalStatusCode: 400, OriginalMessage: 'unexpected shape for input features' }) };
    return { body: JSON.stringify({ model_name: 'deploy-test', outputs: [{ name: 'probability', datatype: 'FP32', shape: [1, 1], data: [0.75] }] }) };
  });

  // No argument: the run's sample row, translated from rows by feature name to KServe v2 for Triton.
  let from = fake.calls.length;
  const sample = await cli(['invoke', 'deploy-test']);
  assert.equal(sample.code, 0, sample.stderr);
  assert.equal(sample.stderr, '', 'no SDK warning in the output');
  assert.match(sample.stdout, /^200 in [\d.]+ ms\n\{"model_name":"deploy-test","outputs":\[.*"data":\[0\.75\]\}\]\}\n$/);
  assert.deepEqual(fake.targets().slice(from), ['SageMaker.DescribeEndpoint', 'SageMakerRuntime.InvokeEndpoint']);
  assert.equal(seen[0]!.endpointName, 'deploy-test');
  assert.equal(seen[0]!.contentType, 'application/json');
  const body = JSON.parse(seen[0]!.body) as Kserve;
  assert.equal(body.inputs.length, 1);
  assert.deepEqual([body.inputs[0]!.shape, body.inputs[0]!.datatype, body.inputs[0]!.data.length], [[1, 3], 'FP32', 3]);

  const row = await cli(['invoke', 'deploy-test', '--row', '{"x": 1, "group=a": 1, "group=b": 0}', '--json']);
  assert.equal(row.code, 0, row.stderr);
  const printed = JSON.parse(row.stdout) as { name: string; target: string; status: number; ms: number; body: { outputs: { data: number[] }[] } };
  assert.deepEqual([printed.name, printed.target, printed.status, printed.body.outputs[0]!.data], ['deploy-test', 'sagemaker', 200, [0.75]]);
  assert.ok(printed.ms >= 0);
  assert.deepEqual((JSON.parse(seen[1]!.body) as Kserve).inputs[0]!.data, [1, 1, 0]);

  // Serverless: 4 MB. A 5 MB KServe body (sent as is) is refused before any call, DescribeEndpoint included.
  const big = join(dir, 'big.json');
  const data = Array.from({ length: 3 * 437_000 }, () => 0.5);
  writeFileSync(big, JSON.stringify({ inputs: [{ name: 'features', shape: [data.length / 3, 3], datatype: 'FP32', data }] }).padEnd(5 * MB, ' '));
  from = fake.calls.length;
  const tooBig = await cli(['invoke', 'deploy-test', '--body', big]);
  assert.equal(tooBig.code, 1);
  assert.match(tooBig.stderr, /^flowbench invoke: the request body is 5\.\d MB \(\d+ bytes\); InvokeEndpoint takes at most 4 MB \(4194304 bytes\) on a serverless endpoint such as deploy-test\n {2}send fewer rows per request\n$/);
  assert.equal(fake.calls.length, from, 'no call at all');

  modelError = true;
  const refused = await cli(['invoke', 'deploy-test', '--row', '{"x": 1, "group=a": 1, "group=b": 0}']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^flowbench invoke: deploy-test answered 400 in [\d.]+ ms: unexpected shape for input features$/m);
  modelError = false;

  fake.failNext('SageMakerRuntime.InvokeEndpoint', new FakeAwsError('AccessDeniedException', 'not authorized to perform: sagemaker:InvokeEndpoint', 403));
  const denied = await cli(['invoke', 'deploy-test']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /^flowbench invoke: cannot send a request to endpoint deploy-test: access denied \(not authorized to perform: sagemaker:InvokeEndpoint\)\n {2}the credentials in use lack the IAM permission/);
  assert.doesNotMatch(denied.stderr, /internal error|    at /);

  // Deleted behind Flowbench's back: DescribeEndpoint says so, and nothing is invoked.
  sm.endpoints.delete('deploy-test');
  from = seen.length;
  const gone = await cli(['invoke', 'deploy-test']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^flowbench invoke: deploy-test is not deployed: SageMaker has no endpoint deploy-test\n {2}deploy it: flowbench deploy \S+ --target sagemaker --name deploy-test/);
  assert.equal(seen.length, from);
});

test('invoke a local deployment: the sample row, --row, CSV, the endpoint\'s 413, a stopped one; usage errors', async (t) => {
  ensureBuilt();
  const dir = project(t, deployProjectFiles());
  assert.equal(flowbench(dir, ['run']).code, 0);
  const deployed = flowbench(dir, ['deploy', 'latest', '--json']);
  assert.equal(deployed.code, 0, deployed.stderr);
  const record = JSON.parse(deployed.stdout) as { pid: number };
  t.after(() => processAlive(record.pid) && process.kill(record.pid, 'SIGKILL'));

  const sample = flowbench(dir, ['invoke', 'deploy-test', '--json']);
  assert.equal(sample.code, 0, sample.stderr);
  const answer = JSON.parse(sample.stdout) as { target: string; status: number; ms: number; body: { predictions: number[] } };
  assert.deepEqual([answer.target, answer.status], ['local', 200]);
  assert.ok(answer.body.predictions[0]! > 0 && answer.body.predictions[0]! < 1, sample.stdout);

  // The card project's model: sigmoid(2x + 0.3a + 0.3b - 0.3).
  const row = flowbench(dir, ['invoke', 'deploy-test', '--row', '{"x": 1, "group=a": 1, "group=b": 0}']);
  assert.equal(row.code, 0, row.stderr);
  const [status, printed] = row.stdout.split('\n');
  assert.match(status!, /^200 in [\d.]+ ms$/);
  assert.ok(Math.abs((JSON.parse(printed!) as { predictions: number[] }).predictions[0]! - 1 / (1 + Math.exp(-2))) < 1e-6, printed);

  writeFileSync(join(dir, 'rows.csv'), 'x,group=a,group=b\n1,1,0\n0,0,1\n');
  const csv = flowbench(dir, ['invoke', 'deploy-test', '--body', 'rows.csv', '--json']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal((JSON.parse(csv.stdout) as { body: { predictions: number[] } }).body.predictions.length, 2);

  writeFileSync(join(dir, 'big.json'), `[${'{"x": 1, "group=a": 1, "group=b": 0},'.repeat(Math.ceil((7 * MB) / 38))}{"x": 1, "group=a": 1, "group=b": 0}]`);
  const big = flowbench(dir, ['invoke', 'deploy-test', '--body', 'big.json']);
  assert.equal(big.code, 1);
  assert.match(big.stderr, /^flowbench invoke: deploy-test answered 413 in [\d.]+ ms: .*the limit is 6 MB/);

  const bad = flowbench(dir, ['invoke', 'deploy-test', '--row', '{"x": 1,}']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^flowbench: --row is not JSON: .*position 8/);
  assert.match(flowbench(dir, ['invoke', 'deploy-test', '--row', '{}', '--body', 'rows.csv']).stderr, /--row and --body both give the request: use one/);
  assert.match(flowbench(dir, ['invoke', 'deploy-test', '--body', 'missing.json']).stderr, /cannot read --body missing\.json: no such file/);
  const unknown = flowbench(dir, ['invoke', 'nothing']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no deployment 'nothing'/);

  assert.equal(flowbench(dir, ['undeploy', 'deploy-test']).code, 0);
  const stopped = flowbench(dir, ['invoke', 'deploy-test']);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /^flowbench invoke: deploy-test is stopped, so it cannot answer\n {2}deploy it again: flowbench deploy \S+ --name deploy-test\n$/);
});
