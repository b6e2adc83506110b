// flowbench deploy --target sagemaker, endpoints and undeploy through the bundled CLI against the fake AWS
// server: the flags reach the calls, progress goes to stderr with no SDK warning in it, --json prints the
// record, and failures end with a plain message and a remedy instead of a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowbench, waitFor } from '../cli/harness';
import { FakeAwsError } from '../helpers/fake-aws/server';
import { cliProject, ROLE } from './sagemaker-fixture';

test('deploy, list and undeploy a SageMaker endpoint from the command line', async (t) => {
  const { dir, fake, sm, env, cli } = await cliProject(t);

  // Checked before any call: nothing reaches the fake.
  const bad = await cli(['deploy', 'latest', '--target', 'sagemaker', '--role', ROLE, '--bucket', 'models-bucket', '--region', 'us-east-1', '--serverless-memory', '3000']);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /^flowbench deploy: --serverless-memory: serverless memory must be 1024–6144 MB in steps of 1024/m);
  assert.doesNotMatch(bad.stderr, /internal error|    at /);
  assert.equal(fake.calls.length, 0);

  sm.script('deploy-test', { polls: 0 });
  const ok = await cli(['deploy', 'latest', '--target', 'sagemaker', '--role', ROLE, '--bucket', 's3://models-bucket/team', '--region', 'us-east-1', '--serverless-memory', '2048', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /NodeVersionSupportWarning|Warning:/);
  assert.match(ok.stderr, /^uploading [\d.]+ MB to s3:\/\/models-bucket\/team\/models\/[0-9a-f]{64}\/model\.tar\.gz$/m);
  assert.match(ok.stderr, /^endpoint deploy-test is InService: /m);
  const record = JSON.parse(ok.stdout);
  assert.deepEqual([record.target, record.status, record.name, record.region, record.url], ['sagemaker', 'running', 'deploy-test', 'us-east-1', `${fake.endpoint}/endpoints/deploy-test/invocations`]);
  const config = fake.calls.find((c) => c.target === 'SageMaker.CreateEndpointConfig')!.input as { ProductionVariants: { ServerlessConfig?: unknown }[] };
  assert.deepEqual(config.ProductionVariants[0]!.ServerlessConfig, { MemorySizeInMB: 2048, MaxConcurrency: 5 });

  const listed = await cli(['endpoints', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(JSON.parse(listed.stdout).find((r: { name: string }) => r.name === 'deploy-test')?.status, 'running');

  // An access error on the next deploy: a plain message and exit 1.
  fake.failNext('SageMaker.CreateModel', new FakeAwsError('AccessDeniedException', 'not authorized to perform: sagemaker:CreateModel', 403));
  const denied = await cli(['deploy', 'latest', '--target', 'sagemaker', '--role', ROLE, '--bucket', 'models-bucket', '--region', 'us-east-1']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /^flowbench deploy: cannot create model deploy-test-[0-9a-f]{8}-\w+: access denied \(not authorized to perform: sagemaker:CreateModel\)\n {2}the credentials in use lack the IAM permission/m);

  // Ctrl-C while Creating: the wait ends at once with exit 130 and what to do next.
  sm.script('slow', { polls: 1000 });
  const slow = startFlowbench(dir, ['deploy', 'latest', '--name', 'slow', '--target', 'sagemaker', '--role', ROLE, '--bucket', 'models-bucket', '--region', 'us-east-1'], env);
  await waitFor('the endpoint to be Creating', () => /endpoint slow: Creating/.test(slow.stderr()));
  slow.child.kill('SIGINT');
  const cancelled = await slow.done;
  assert.equal(cancelled.code, 130, cancelled.stderr);
  assert.match(cancelled.stderr, /flowbench deploy: stopped waiting: SageMaker goes on creating endpoint slow .*\n {2}flowbench endpoints shows its state; flowbench undeploy slow removes it/);

  const down = await cli(['undeploy', 'deploy-test']);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual([...sm.endpoints.keys()], ['slow']);
});
