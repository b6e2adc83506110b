// Deploying to SageMaker against the fake: the calls in order and what they carry, create and update,
// serverless, the package in S3 (untarred), no second upload of an unchanged model, failures, cancel,
// undeploy. No real AWS account is involved: the real SDK clients talk to the fake through AWS_ENDPOINT_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar';
import { AwsProblem } from '../../core/aws/errors';
import { ProfileError } from '../../core/aws/profile';
import { readDeployment } from '../../core/deploy/records';
import { deploySageMaker, refreshSageMaker, undeploySageMaker } from '../../core/deploy/sagemaker-deploy';
import { FakeAwsError } from '../helpers/fake-aws/server';
import { BUCKET, never, ROLE, sageMakerFixture } from './sagemaker-fixture';

const TRITON = '763104351884.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3';
const input = (f: { fake: { calls: { target: string; input: Record<string, unknown> }[] } }, target: string, nth = 0) => f.fake.calls.filter((c) => c.target === target)[nth]?.input as Record<string, any>;

test('create: the calls in order, their payloads, the package in S3 and the record', async (t) => {
  const f = await sageMakerFixture(t);
  const messages: string[] = [];
  f.sm.script('delays', { polls: 2 });
  const record = await deploySageMaker(f.options(), (m) => messages.push(m), never());

  assert.deepEqual(f.fake.targets(), [
    'SageMaker.DescribeEndpoint', // does it exist? (no)
    'S3.HeadObject', // is this package there already? (no)
    'S3.PutObject',
    'SageMaker.CreateModel',
    'SageMaker.CreateEndpointConfig',
    'SageMaker.CreateEndpoint',
    'SageMaker.DescribeEndpoint',
    'SageMaker.DescribeEndpoint',
    'SageMaker.DescribeEndpoint',
  ]);
  const key = input(f, 'S3.PutObject').Key as string;
  assert.match(key, /^flowbench\/models\/[0-9a-f]{64}\/model\.tar\.gz$/);
  const model = input(f, 'SageMaker.CreateModel');
  assert.match(model.ModelName, /^delays-[0-9a-f]{8}-[0-9a-z]+$/);
  assert.deepEqual(model.PrimaryContainer, { Image: TRITON, ModelDataUrl: `s3://${BUCKET}/${key}`, Environment: { SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: 'delays' } });
  assert.equal(model.ExecutionRoleArn, ROLE);
  assert.deepEqual(model.Tags, [{ Key: 'flowbench:deployment', Value: 'delays' }, { Key: 'flowbench:run', Value: 'r-1' }]);
  const config = input(f, 'SageMaker.CreateEndpointConfig');
  assert.equal(config.EndpointConfigName, model.ModelName);
  assert.deepEqual(config.ProductionVariants, [{ VariantName: 'AllTraffic', ModelName: model.ModelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }]);
  assert.deepEqual(input(f, 'SageMaker.CreateEndpoint'), { EndpointName: 'delays', EndpointConfigName: model.ModelName, Tags: model.Tags });

  // What SageMaker would unpack: Triton's repository layout, config from the ONNX signature.
  const out = join(f.project.root, 'untarred');
  mkdirSync(out);
  const tgz = join(f.project.root, 'model.tar.gz');
  writeFileSync(tgz, f.fake.s3.get(BUCKET, key)!.body);
  await extract({ file: tgz, cwd: out });
  assert.deepEqual(readFileSync(join(out, 'delays/1/model.onnx')), readFileSync(f.project.path('models/model.onnx')));
  const pbtxt = readFileSync(join(out, 'delays/config.pbtxt'), 'utf8');
  assert.match(pbtxt, /^name: "delays"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\ninput \[\n  \{\n    name: "X"\n    data_type: TYPE_FP32\n    dims: \[ 3 \]/);

  assert.equal(record.status, 'running');
  assert.equal(record.url, `${f.fake.endpoint}/endpoints/delays/invocations`);
  assert.deepEqual([record.target, record.region, record.endpointName, record.endpointConfigName, record.modelName, record.endpointArn], ['sagemaker', 'us-east-1', 'delays', model.ModelName, model.ModelName, 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/delays']);
  assert.deepEqual(readDeployment(f.stateDir, 'delays'), record);
  assert.equal(f.sm.endpoints.get('delays')?.status, 'InService');
  assert.ok(messages.includes('endpoint delays: Creating (0s)'), messages.join('\n'));
  assert.match(messages.at(-1)!, /^endpoint delays is InService: /);
  assert.ok(messages.some((m) => m === 'outputs output_probability are not tensors: Triton will not return them'));
});

test('update: an unchanged model is not uploaded again; UpdateEndpoint to a new config, then the old one is removed', async (t) => {
  const f = await sageMakerFixture(t);
  const first = await deploySageMaker(f.options(), () => undefined, never());
  f.fake.calls.length = 0;
  const messages: string[] = [];
  const second = await deploySageMaker(f.options({ runId: 'r-2', overrides: { instanceType: 'ml.c5.xlarge' } }), (m) => messages.push(m), never());

  assert.deepEqual(f.fake.targets(), [
    'SageMaker.DescribeEndpoint',
    'S3.HeadObject',
    'SageMaker.CreateModel',
    'SageMaker.CreateEndpointConfig',
    'SageMaker.UpdateEndpoint',
    'SageMaker.DescribeEndpoint',
    'SageMaker.DescribeEndpoint',
    'SageMaker.DescribeEndpointConfig',
    'SageMaker.DeleteEndpointConfig',
    'SageMaker.DeleteModel',
  ]);
  assert.ok(messages.some((m) => m.startsWith('model unchanged: using s3://models-bucket/flowbench/models/')));
  assert.equal(input(f, 'SageMaker.CreateModel').PrimaryContainer.ModelDataUrl, `s3://${BUCKET}/${f.fake.s3.keys(BUCKET)[0]}`);
  assert.equal(f.fake.s3.keys(BUCKET).length, 1);
  assert.deepEqual(input(f, 'SageMaker.UpdateEndpoint'), { EndpointName: 'delays', EndpointConfigName: second.endpointConfigName });
  assert.equal(input(f, 'SageMaker.CreateEndpointConfig').ProductionVariants[0].InstanceType, 'ml.c5.xlarge');
  assert.deepEqual(input(f, 'SageMaker.DeleteEndpointConfig'), { EndpointConfigName: first.endpointConfigName });
  assert.deepEqual(input(f, 'SageMaker.DeleteModel'), { ModelName: first.modelName });
  assert.deepEqual([...f.sm.configs.keys()], [second.endpointConfigName]);
  assert.deepEqual([...f.sm.models.keys()], [second.modelName]);
  assert.deepEqual([second.status, second.runId, second.createdAt], ['running', 'r-2', first.createdAt]);
  assert.notEqual(second.endpointConfigName, first.endpointConfigName);
});

test('serverless: ServerlessConfig instead of an instance; limits refused before any call', async (t) => {
  const f = await sageMakerFixture(t, { instanceType: 'ml.m5.large' });
  await deploySageMaker(f.options({ overrides: { serverlessMemory: 3072, serverlessConcurrency: 20 } }), () => undefined, never());
  const [variant] = input(f, 'SageMaker.CreateEndpointConfig').ProductionVariants;
  assert.deepEqual(variant, { VariantName: 'AllTraffic', ModelName: input(f, 'SageMaker.CreateModel').ModelName, ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 20 } });

  f.fake.calls.length = 0;
  for (const overrides of [{ serverlessMemory: 3000 }, { serverlessConcurrency: 201 }, { role: 'FlowbenchSageMaker' }]) {
    await assert.rejects(deploySageMaker(f.options({ overrides }), () => undefined, never()), ProfileError);
  }
  assert.deepEqual(f.fake.calls, []);
});

test('the fake refuses what SageMaker refuses, so a config that slips past the profile still fails plainly', async (t) => {
  const f = await sageMakerFixture(t);
  const { CreateEndpointConfigCommand, SageMakerClient } = await import('@aws-sdk/client-sagemaker');
  const sm = new SageMakerClient({ region: 'us-east-1' });
  await assert.rejects(sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'missing', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] })), /Could not find model/);
  f.sm.models.set('m', {});
  await assert.rejects(sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm', ServerlessConfig: { MemorySizeInMB: 1500, MaxConcurrency: 1 } }] })), /memorySizeInMB' failed to satisfy constraint/);
});

test('no role or no bucket: refused before any call, saying how to set it', async (t) => {
  const f = await sageMakerFixture(t);
  writeFileSync(join(f.stateDir, 'sagemaker.json'), JSON.stringify({ region: 'us-east-1' }));
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: ProfileError) => e.problems.length === 2 && /--role/.test(e.problems[0]!) && /--bucket/.test(e.problems[1]!));
  assert.deepEqual(f.fake.calls, []);
});

test('a Failed endpoint: its FailureReason, plainly, and a record that says failed', async (t) => {
  const f = await sageMakerFixture(t);
  const reason = 'Failed to pull model image 763104351884.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3: access denied';
  f.sm.script('delays', { polls: 1, outcome: 'Failed', failureReason: reason });
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: AwsProblem) => e.message === `endpoint delays failed: ${reason}` && /could not be pulled/.test(e.remedy ?? ''));
  const record = readDeployment(f.stateDir, 'delays')!;
  assert.deepEqual([record.status, record.failureReason], ['failed', reason]);
  assert.equal(await refreshSageMaker(record, f.stateDir), record);
  // Deploying onto it again is refused before anything is uploaded or created.
  f.fake.calls.length = 0;
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: AwsProblem) => /endpoint delays is Failed \(Failed to pull/.test(e.message) && /flowbench undeploy delays/.test(e.remedy ?? ''));
  assert.deepEqual(f.fake.targets(), ['SageMaker.DescribeEndpoint']);
});

test('recreate: a Failed endpoint is deleted (waiting until the name is free), its config and model removed, then created again', async (t) => {
  const f = await sageMakerFixture(t);
  f.sm.script('delays', { polls: 0, outcome: 'Failed', failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' });
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: AwsProblem) => /ping health check/.test(e.message));
  const [failedModel] = [...f.sm.models.keys()];
  const [failedConfig] = [...f.sm.configs.keys()];
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: AwsProblem) => e.code === 'EndpointNotUpdatable' && /--recreate/.test(e.remedy ?? ''));

  // SageMaker takes a while to delete: the endpoint stays Deleting for two DescribeEndpoint calls.
  f.sm.deletePolls = 2;
  f.fake.calls.length = 0;
  const progress: string[] = [];
  const record = await deploySageMaker(f.options({ recreate: true }), (m) => progress.push(m), never());
  assert.equal(record.status, 'running');
  assert.deepEqual(f.fake.targets('SageMaker.').slice(0, 9), [
    'SageMaker.DescribeEndpoint', 'SageMaker.DeleteEndpoint', 'SageMaker.DescribeEndpoint', 'SageMaker.DescribeEndpoint', 'SageMaker.DescribeEndpoint',
    'SageMaker.DescribeEndpointConfig', 'SageMaker.DeleteEndpointConfig', 'SageMaker.DeleteModel', 'SageMaker.CreateModel',
  ]);
  assert.ok(f.fake.targets().includes('SageMaker.CreateEndpoint') && !f.fake.targets().includes('SageMaker.UpdateEndpoint'));
  assert.ok(!f.sm.models.has(failedModel!) && !f.sm.configs.has(failedConfig!), 'the failed model and config are gone');
  assert.deepEqual([f.sm.models.size, f.sm.configs.size], [1, 1]);
  assert.ok(progress.includes('deleting the Failed endpoint delays to create it again'), progress.join('\n'));
});

test('an access error: stops at the call that failed, says which permission; nothing left behind', async (t) => {
  const f = await sageMakerFixture(t);
  f.fake.failNext('SageMaker.CreateModel', new FakeAwsError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sagemaker:CreateModel on resource: arn:aws:sagemaker:us-east-1:123456789012:model/delays', 403));
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: AwsProblem) => /^cannot create model delays-[0-9a-f]{8}-\w+: access denied \(.*sagemaker:CreateModel/.test(e.message) && e.code === 'AccessDeniedException');
  assert.deepEqual(f.fake.targets('SageMaker.'), ['SageMaker.DescribeEndpoint', 'SageMaker.CreateModel']);
  assert.equal(readDeployment(f.stateDir, 'delays'), undefined);

  // A quota on CreateEndpoint: the model and config just made are deleted again.
  f.fake.calls.length = 0;
  f.fake.failNext('SageMaker.CreateEndpoint', new FakeAwsError('ResourceLimitExceeded', "The account-level service limit 'ml.m5.large for endpoint usage' is 0 Instances"));
  await assert.rejects(deploySageMaker(f.options(), () => undefined, never()), (e: AwsProblem) => /an AWS quota was reached/.test(e.message) && /Service Quotas/.test(e.remedy ?? ''));
  assert.deepEqual(f.fake.targets('SageMaker.').slice(-3), ['SageMaker.CreateEndpoint', 'SageMaker.DeleteEndpointConfig', 'SageMaker.DeleteModel']);
  assert.equal(f.sm.models.size + f.sm.configs.size, 0);
});

test('cancel while Creating: the wait ends at once, the record stays, undeploy works once SageMaker lets it', async (t) => {
  const f = await sageMakerFixture(t);
  f.sm.script('delays', { polls: 1000 });
  const abort = new AbortController();
  await assert.rejects(
    deploySageMaker(f.options({ poll: { firstMs: 60000, maxMs: 60000 } }), (m) => m.includes('Creating') && abort.abort(), abort.signal),
    (e: AwsProblem) => e.code === 'Cancelled' && /goes on creating endpoint delays/.test(e.message) && /flowbench undeploy delays/.test(e.remedy ?? ''),
  );
  assert.equal(f.fake.targets('SageMaker.DescribeEndpoint').length, 2, 'one look-up, one poll: the 60 s wait was cut short');
  const record = readDeployment(f.stateDir, 'delays')!;
  assert.equal(record.status, 'starting');
  assert.equal(await refreshSageMaker(record, f.stateDir), record, 'still Creating: nothing changes');

  await assert.rejects(undeploySageMaker(record, { projectDir: f.project.root, stateDir: f.stateDir }), (e: AwsProblem) => /while it is Creating/.test(e.message) && /once it is InService or Failed/.test(e.remedy ?? ''));
  f.sm.endpoints.get('delays')!.pollsLeft = 0;
  const refreshed = await refreshSageMaker(record, f.stateDir);
  assert.equal(refreshed.status, 'running', 'InService since the wait was cancelled');
  assert.deepEqual(readDeployment(f.stateDir, 'delays'), refreshed);
  const stopped = await undeploySageMaker(refreshed, { projectDir: f.project.root, stateDir: f.stateDir });
  assert.equal(stopped.status, 'stopped');
  assert.equal(f.sm.endpoints.size + f.sm.configs.size + f.sm.models.size, 0);
});

test('cancel during the upload: nothing is sent, nothing created, nothing recorded', async (t) => {
  const f = await sageMakerFixture(t);
  const abort = new AbortController();
  await assert.rejects(
    deploySageMaker(f.options(), (m) => m.startsWith('uploading') && abort.abort(), abort.signal),
    (e: AwsProblem) => e.code === 'AbortError' && /^upload the model to s3:\/\/models-bucket\/flowbench\/models\/[0-9a-f]+\/model\.tar\.gz: cancelled$/.test(e.message),
  );
  assert.deepEqual(f.fake.targets(), ['SageMaker.DescribeEndpoint', 'S3.HeadObject']);
  assert.equal(readDeployment(f.stateDir, 'delays'), undefined);
});

test('a failed update rolls back: the old model keeps serving, the new config is removed', async (t) => {
  const f = await sageMakerFixture(t);
  const first = await deploySageMaker(f.options(), () => undefined, never());
  f.sm.script('delays', { outcome: 'RolledBack', failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' });
  await assert.rejects(deploySageMaker(f.options({ runId: 'r-2', modelSha256: 'f'.repeat(64) }), () => undefined, never()), (e: AwsProblem) => /rolled back to the previous model/.test(e.message) && /\/ping/.test(e.remedy ?? ''));
  const record = readDeployment(f.stateDir, 'delays')!;
  assert.deepEqual([record.status, record.runId, record.endpointConfigName, record.modelName], ['running', 'r-1', first.endpointConfigName, first.modelName]);
  assert.deepEqual([...f.sm.configs.keys()], [first.endpointConfigName]);
  assert.deepEqual([...f.sm.models.keys()], [first.modelName]);
});

test('undeploy: endpoint, config and model deleted; again is harmless', async (t) => {
  const f = await sageMakerFixture(t);
  const record = await deploySageMaker(f.options(), () => undefined, never());
  f.fake.calls.length = 0;
  const stopped = await undeploySageMaker(record, { projectDir: f.project.root, stateDir: f.stateDir });
  assert.deepEqual(f.fake.targets(), ['SageMaker.DescribeEndpoint', 'SageMaker.DeleteEndpoint', 'SageMaker.DescribeEndpointConfig', 'SageMaker.DeleteEndpointConfig', 'SageMaker.DeleteModel']);
  assert.deepEqual(input(f, 'SageMaker.DeleteEndpoint'), { EndpointName: 'delays' });
  assert.deepEqual(input(f, 'SageMaker.DeleteEndpointConfig'), { EndpointConfigName: record.endpointConfigName });
  assert.deepEqual(input(f, 'SageMaker.DeleteModel'), { ModelName: record.modelName });
  assert.equal(stopped.status, 'stopped');
  assert.equal(readDeployment(f.stateDir, 'delays')?.status, 'stopped');
  assert.equal(f.sm.endpoints.size + f.sm.configs.size + f.sm.models.size, 0);
  await undeploySageMaker(record, { projectDir: f.project.root, stateDir: f.stateDir });
  // Deleted behind Flowbench's back: a refresh reads it as stopped.
  assert.equal((await refreshSageMaker({ ...record, status: 'running' }, f.stateDir)).status, 'stopped');
});

test('a user-given image gets model.onnx at the archive root and no Triton variables', async (t) => {
  const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-server:1';
  const f = await sageMakerFixture(t, { image });
  await deploySageMaker(f.options(), () => undefined, never());
  const container = input(f, 'SageMaker.CreateModel').PrimaryContainer;
  assert.equal(container.Image, image);
  assert.equal(container.Environment, undefined);
});

test('a named AWS profile: its credentials sign the calls, and the record keeps its name (never a key) for later calls', async (t) => {
  const f = await sageMakerFixture(t, { profile: 'work' });
  f.project.write('aws/credentials', '[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = work-secret\n');
  const saved = [process.env.AWS_SHARED_CREDENTIALS_FILE, process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
  process.env.AWS_SHARED_CREDENTIALS_FILE = f.project.path('aws/credentials');
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  t.after(() => {
    const keys = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
    keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
  });
  const record = await deploySageMaker(f.options(), () => undefined, never());
  assert.equal(record.awsProfile, 'work');
  const text = readFileSync(join(f.stateDir, 'deployments', 'delays.json'), 'utf8');
  assert.doesNotMatch(text, /AKIDWORK|work-secret/);
  await undeploySageMaker(record, { projectDir: f.project.root, stateDir: f.stateDir });
  assert.equal(f.sm.endpoints.size, 0);
});
