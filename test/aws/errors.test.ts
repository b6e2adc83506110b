// AWS errors in plain words, from the errors the real SDK raises for the fake's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsProblem, failureProblem } from '../../core/aws/errors';
import { FakeAwsError, fakeClientConfig, startFakeAws } from '../helpers/fake-aws/server';

test('service errors through the SDK: access denied, quota, role, image, credentials, unknown', async () => {
  const fake = await startFakeAws();
  try {
    const sm = new SageMakerClient({ ...fakeClientConfig(fake), maxAttempts: 1 });
    const cases: [FakeAwsError, RegExp, RegExp | undefined][] = [
      [new FakeAwsError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sagemaker:CreateModel'), /^cannot create the model: access denied \(User: .* sagemaker:CreateModel\)$/, /IAM permission/],
      [new FakeAwsError('ResourceLimitExceeded', 'The account-level service limit \'ml.g5.xlarge for endpoint usage\' is 0 Instances'), /^cannot create the model: an AWS quota was reached/, /Service Quotas/],
      [new FakeAwsError('ValidationException', 'Could not assume role arn:aws:iam::123456789012:role/missing. Please ensure that the role exists'), /SageMaker cannot use the execution role/, /trust policy/],
      [new FakeAwsError('ValidationException', 'Requested image 123.dkr.ecr.us-east-1.amazonaws.com/x:1 not found.'), /the serving image is not usable/, /image URI/],
      [new FakeAwsError('ExpiredTokenException', 'The security token included in the request is expired'), /the AWS credentials were rejected/, /aws sso login/],
      [new FakeAwsError('ValidationException', 'Model name is too long'), /^cannot create the model: ValidationException: Model name is too long$/, undefined],
    ];
    for (const [error, message, remedy] of cases) {
      fake.failNext('SageMaker.CreateModel', error);
      const thrown = await sm.send(new CreateModelCommand({ ModelName: 'm' })).catch((e: unknown) => e);
      const p = awsProblem(thrown, 'create the model');
      assert.match(p.message, message);
      if (remedy) assert.match(p.remedy ?? '', remedy);
      else assert.equal(p.remedy, undefined);
      assert.equal(p.code, error.type);
    }
  } finally {
    await fake.close();
  }
});

test('no credentials, and an unreachable endpoint', async () => {
  const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  assert.match(awsProblem(missing, 'upload the model').message, /^cannot upload the model: no AWS credentials found$/);
  const sm = new SageMakerClient({ ...fakeClientConfig({ endpoint: 'http://127.0.0.1:9' } as never), maxAttempts: 1 });
  const thrown = await sm.send(new CreateModelCommand({ ModelName: 'm' })).catch((e: unknown) => e);
  assert.match(awsProblem(thrown, 'create the model').message, /the AWS endpoint is unreachable/);
});

test('Failed with its FailureReason, and the likely remedy', () => {
  assert.match(failureProblem('endpoint e', 'Failed to pull model image 1.dkr.ecr.us-east-1.amazonaws.com/x').remedy!, /could not be pulled/);
  assert.match(failureProblem('endpoint e', 'The primary container for production variant AllTraffic did not pass the ping health check.').remedy!, /never answered \/ping/);
  assert.match(failureProblem('endpoint e', 'Could not assume role arn:aws:iam::1:role/x').remedy!, /trusts sagemaker/);
  assert.equal(failureProblem('endpoint e', undefined).message, 'endpoint e failed: SageMaker gave no reason');
});
