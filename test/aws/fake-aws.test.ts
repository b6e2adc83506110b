// The fake AWS server against the real SDK clients: if the SDK's wire format moves, these fail before the
// deploy and remote-step suites do, with a smaller cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { FakeAwsError, fakeClientConfig, startFakeAws } from '../helpers/fake-aws/server';

test('S3: put, multipart upload, list and get through the SDK', async () => {
  const fake = await startFakeAws();
  try {
    fake.s3.createBucket('b');
    const s3 = new S3Client({ ...fakeClientConfig(fake), forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'small/a.txt', Body: 'hello' }));
    const big = Buffer.alloc(12 * 1024 * 1024, 7);
    await new Upload({ client: s3, params: { Bucket: 'b', Key: 'big/model.tar.gz', Body: big } }).done();
    assert.deepEqual(fake.s3.get('b', 'big/model.tar.gz')?.body.equals(big), true);
    assert.ok(fake.targets('S3.').includes('S3.CompleteMultipartUpload'));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'small/' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ['small/a.txt']);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'small/a.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello');
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'missing' })), { name: 'NoSuchKey' });
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' })), { name: 'NoSuchBucket' });
  } finally {
    await fake.close();
  }
});

test('SageMaker JSON targets, a queued failure, and the runtime', async () => {
  const fake = await startFakeAws();
  try {
    fake.on('SageMaker.DescribeEndpoint', (input) => ({ EndpointName: input.EndpointName, EndpointStatus: 'InService', EndpointArn: 'arn:aws:sagemaker:us-east-1:0:endpoint/e', CreationTime: 0, LastModifiedTime: 0 }));
    const sm = new SageMakerClient(fakeClientConfig(fake));
    const out = await sm.send(new DescribeEndpointCommand({ EndpointName: 'e' }));
    assert.equal(out.EndpointStatus, 'InService');
    fake.failNext('SageMaker.DescribeEndpoint', new FakeAwsError('AccessDeniedException', 'not allowed'));
    await assert.rejects(sm.send(new DescribeEndpointCommand({ EndpointName: 'e' })), { name: 'AccessDeniedException', message: 'not allowed' });
    fake.onInvoke((req) => ({ body: JSON.stringify({ echo: req.body.toString(), name: req.endpointName }) }));
    const rt = new SageMakerRuntimeClient(fakeClientConfig(fake));
    const res = await rt.send(new InvokeEndpointCommand({ EndpointName: 'e', ContentType: 'application/json', Body: '{"a":1}' }));
    assert.deepEqual(JSON.parse(Buffer.from(res.Body!).toString()), { echo: '{"a":1}', name: 'e' });
    assert.deepEqual(fake.targets(), ['SageMaker.DescribeEndpoint', 'SageMaker.DescribeEndpoint', 'SageMakerRuntime.InvokeEndpoint']);
  } finally {
    await fake.close();
  }
});
