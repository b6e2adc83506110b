// The SageMaker profile: layers (file < compute: < flags), validation before any call, clear messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileError, requireProfile, sageMakerProfile } from '../../core/aws/profile';
import type { SageMakerCompute } from '../../core/flow/model';

const ROLE = 'arn:aws:iam::123456789012:role/FlowbenchSageMaker';
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const at = <T>(value: T) => ({ value, range });

function project(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-profile-'));
  if (config !== undefined) {
    mkdirSync(join(dir, '.flowbench'));
    writeFileSync(join(dir, '.flowbench', 'sagemaker.json'), typeof config === 'string' ? config : JSON.stringify(config));
  }
  return dir;
}

function withProject<T>(config: unknown, fn: (dir: string) => T): T {
  const dir = project(config);
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProfileError, String(e));
    return e.problems;
  }
  assert.fail('expected a ProfileError');
}

test('no file and no flags: defaults only', () => {
  withProject(undefined, (dir) => assert.deepEqual(sageMakerProfile(dir), { prefix: 'flowbench' }));
});

test('the file, then flags over it; s3:// buckets carry a prefix', () => {
  const file = { region: 'eu-west-1', role: ROLE, bucket: 'models-bucket', prefix: '/team/a/', instanceType: 'ml.m5.large', profile: 'work' };
  withProject(file, (dir) => {
    assert.deepEqual(sageMakerProfile(dir), { region: 'eu-west-1', roleArn: ROLE, bucket: 'models-bucket', prefix: 'team/a', instanceType: 'ml.m5.large', awsProfile: 'work' });
    const p = sageMakerProfile(dir, { region: 'us-east-2', bucket: 's3://other-bucket/x/y', instanceType: 'ml.g5.xlarge' });
    assert.deepEqual([p.region, p.bucket, p.prefix, p.instanceType, p.roleArn], ['us-east-2', 'other-bucket', 'x/y', 'ml.g5.xlarge', ROLE]);
  });
});

test('serverless flags replace the file\'s instance type; an instance flag replaces serverless; defaults fill the other half', () => {
  withProject({ instanceType: 'ml.m5.large' }, (dir) => {
    const p = sageMakerProfile(dir, { serverlessMemory: 4096 });
    assert.equal(p.instanceType, undefined);
    assert.deepEqual(p.serverless, { memorySizeInMB: 4096, maxConcurrency: 5 });
  });
  withProject({ serverless: { memoryMB: 3072, maxConcurrency: 20 } }, (dir) => {
    assert.deepEqual(sageMakerProfile(dir, { serverlessConcurrency: 50 }).serverless, { memorySizeInMB: 3072, maxConcurrency: 50 });
    const p = sageMakerProfile(dir, { instanceType: 'ml.c5.xlarge' });
    assert.deepEqual([p.instanceType, p.serverless], ['ml.c5.xlarge', undefined]);
  });
});

test('serverless limits are checked before any call: 1024–6144 in 1024 steps, concurrency 1–200', () => {
  withProject(undefined, (dir) => {
    for (const ok of [1024, 2048, 6144]) assert.equal(sageMakerProfile(dir, { serverlessMemory: ok }).serverless?.memorySizeInMB, ok);
    for (const bad of [512, 1500, 7168, 0]) {
      const [p] = problems(() => sageMakerProfile(dir, { serverlessMemory: bad }));
      assert.match(p!, new RegExp(`^--serverless-memory: serverless memory must be 1024–6144 MB in steps of 1024 .*got ${bad}$`));
    }
    for (const ok of [1, 200]) assert.equal(sageMakerProfile(dir, { serverlessConcurrency: ok }).serverless?.maxConcurrency, ok);
    for (const bad of [0, 201, 2.5]) assert.match(problems(() => sageMakerProfile(dir, { serverlessConcurrency: bad }))[0]!, /--serverless-concurrency: .*1 to 200/);
  });
  withProject({ serverless: { memoryMB: 1000 } }, (dir) => {
    assert.match(problems(() => sageMakerProfile(dir))[0]!, /^\.flowbench\/sagemaker\.json "serverless\.memoryMB": serverless memory/);
  });
});

test('every problem at once, each naming where the value came from', () => {
  withProject({ region: 'Europe', role: 'FlowbenchRole', bucket: 'Bad_Bucket', instanceType: 'm5.large' }, (dir) => {
    const ps = problems(() => sageMakerProfile(dir));
    assert.equal(ps.length, 4);
    assert.match(ps.join('\n'), /"region": expected an AWS region/);
    assert.match(ps.join('\n'), /"role": expected an IAM role ARN such as arn:aws:iam::123456789012:role\/FlowbenchSageMaker, got "FlowbenchRole"/);
    assert.match(ps.join('\n'), /"bucket": expected an S3 bucket name/);
    assert.match(ps.join('\n'), /"instanceType": expected a SageMaker instance type/);
  });
  withProject(undefined, (dir) => {
    assert.match(problems(() => sageMakerProfile(dir, { role: 'arn:aws:iam::12345:role/x' }))[0]!, /^--role: expected an IAM role ARN/);
    assert.match(problems(() => sageMakerProfile(dir, { instanceType: 'ml.m5.large', serverlessMemory: 2048 }))[0]!, /--instance-type and --serverless-memory both given/);
  });
});

test('the file: bad JSON, unknown keys, and credentials refused', () => {
  withProject('{"region": "eu-west-1",}', (dir) => assert.match(problems(() => sageMakerProfile(dir))[0]!, /^\.flowbench\/sagemaker\.json: not valid JSON \(.*position/));
  withProject({ regoin: 'eu-west-1' }, (dir) => assert.match(problems(() => sageMakerProfile(dir))[0]!, /unknown key "regoin" \(known: region, role/));
  withProject({ secretAccessKey: 'x', aws_access_key_id: 'y' }, (dir) => {
    const ps = problems(() => sageMakerProfile(dir));
    assert.equal(ps.length, 2);
    for (const p of ps) assert.match(p, /credentials never go in this file/);
  });
});

test('a step\'s compute: sits between the file and the flags', () => {
  const compute: SageMakerCompute = { target: 'sagemaker', range, instanceType: at('ml.g5.xlarge'), role: at(ROLE), region: at('ap-south-1'), s3Prefix: at('s3://step-bucket/runs') };
  withProject({ region: 'eu-west-1', bucket: 'file-bucket', serverless: { memoryMB: 2048 } }, (dir) => {
    const p = sageMakerProfile(dir, { compute });
    assert.deepEqual([p.region, p.bucket, p.prefix, p.instanceType, p.serverless, p.roleArn], ['ap-south-1', 'step-bucket', 'runs', 'ml.g5.xlarge', undefined, ROLE]);
    assert.equal(sageMakerProfile(dir, { compute, region: 'us-west-2' }).region, 'us-west-2');
    assert.match(problems(() => sageMakerProfile(dir, { compute: { ...compute, role: at('nope') } }))[0]!, /^compute: role: expected an IAM role ARN/);
  });
});

test('FLOWBENCH_SAGEMAKER_ROLE is the lowest layer; requireProfile says how to set what is missing', () => {
  withProject(undefined, (dir) => {
    process.env.FLOWBENCH_SAGEMAKER_ROLE = ROLE;
    try {
      assert.equal(sageMakerProfile(dir).roleArn, ROLE);
      assert.equal(sageMakerProfile(dir, { role: 'arn:aws:iam::111122223333:role/other' }).roleArn, 'arn:aws:iam::111122223333:role/other');
    } finally {
      delete process.env.FLOWBENCH_SAGEMAKER_ROLE;
    }
    const ps = problems(() => requireProfile(sageMakerProfile(dir), ['roleArn', 'bucket']));
    assert.deepEqual(ps.map((p) => p.split(':')[0]), ['no SageMaker execution role', 'no S3 bucket for the model']);
    assert.match(ps[0]!, /--role arn:aws:iam::<account>:role\/<name>/);
  });
});
