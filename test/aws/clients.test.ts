// The client config: credentials and region from the standard chain or a named profile, endpoints from
// AWS_ENDPOINT_URL and the per-service variables (read by the SDK itself), and only the SDK's
// NodeVersionSupportWarning kept out of the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, endpointOverride, s3ClientConfig } from '../../core/aws/clients';
import { startFakeAws } from '../helpers/fake-aws/server';

const ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SAGEMAKER', 'AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED'];

async function withEnv(env: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true' }, env);
  try {
    await fn();
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

test('AWS_ENDPOINT_URL sends every client to the fake; a per-service variable wins over it', async () => {
  const fake = await startFakeAws();
  try {
    fake.on('SageMaker.DescribeEndpoint', (input) => ({ EndpointName: input.EndpointName, EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/e', EndpointStatus: 'InService', CreationTime: 0, LastModifiedTime: 0 }));
    fake.s3.createBucket('b');
    const keys = { AWS_ACCESS_KEY_ID: 'AKIDCHAIN', AWS_SECRET_ACCESS_KEY: 'chain-secret' };
    await withEnv({ ...keys, AWS_ENDPOINT_URL: fake.endpoint }, async () => {
      const sm = new SageMakerClient(awsClientConfig({ region: 'us-east-1' }));
      assert.equal((await sm.send(new DescribeEndpointCommand({ EndpointName: 'e' }))).EndpointStatus, 'InService');
      assert.deepEqual((await sm.config.credentials()).accessKeyId, 'AKIDCHAIN');
      const s3 = new S3Client(s3ClientConfig({ region: 'us-east-1' }));
      assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: 'b' }))).KeyCount ?? 0, 0);
    });
    // A dead port for the general variable: only the per-service one can make these calls succeed.
    await withEnv({ ...keys, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SAGEMAKER: fake.endpoint, AWS_ENDPOINT_URL_S3: fake.endpoint }, async () => {
      const sm = new SageMakerClient(awsClientConfig({ region: 'us-east-1' }));
      assert.equal((await sm.send(new DescribeEndpointCommand({ EndpointName: 'e2' }))).EndpointName, 'e2');
      await new S3Client(s3ClientConfig({ region: 'us-east-1' })).send(new ListObjectsV2Command({ Bucket: 'b' }));
      assert.equal(endpointOverride('SageMaker Runtime'), 'http://127.0.0.1:9');
      assert.equal(endpointOverride('SageMaker'), fake.endpoint);
    });
    assert.deepEqual(fake.targets(), ['SageMaker.DescribeEndpoint', 'S3.ListObjectsV2', 'SageMaker.DescribeEndpoint', 'S3.ListObjectsV2']);
  } finally {
    await fake.close();
  }
});

test('a named profile supplies credentials and region; the config itself carries no secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-aws-'));
  try {
    writeFileSync(join(dir, 'config'), '[profile work]\nregion = eu-central-1\n');
    writeFileSync(join(dir, 'credentials'), '[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = work-secret\n');
    await withEnv({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') }, async () => {
      const config = awsClientConfig({ awsProfile: 'work' });
      assert.deepEqual(config, { profile: 'work' });
      const sm = new SageMakerClient(config);
      assert.equal(await sm.config.region(), 'eu-central-1');
      assert.equal((await sm.config.credentials()).accessKeyId, 'AKIDWORK');
      // The profile's region gives way to one the Flowbench profile names.
      assert.equal(await new SageMakerClient(awsClientConfig({ awsProfile: 'work', region: 'us-west-2' })).config.region(), 'us-west-2');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only the SDK\'s NodeVersionSupportWarning is filtered; other warnings still print', () => {
  const script = `
    const { awsClientConfig } = require('./core/aws/clients.ts');
    const { SageMakerClient } = require('@aws-sdk/client-sagemaker');
    new SageMakerClient(awsClientConfig({ region: 'us-east-1' }));
    process.emitWarning('NodeVersionSupportWarning: a second one, also dropped');
    process.emitWarning('something else', 'DeprecationWarning');
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' } });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /NodeVersionSupportWarning/);
  assert.match(run.stderr, /DeprecationWarning: something else/);
});
