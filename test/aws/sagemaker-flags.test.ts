// The SageMaker CLI flags: parsed with the command's other options, turned into profile overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs } from '../../core/cli/args';
import { UsageError } from '../../core/cli/errors';
import { hasSageMakerFlags, SAGEMAKER_FLAGS, sageMakerOverrides } from '../../core/cli/sagemaker-flags';

const parse = (args: string[]) => parseCommandArgs('deploy', args, { ...SAGEMAKER_FLAGS, target: { type: 'string' } }, 1).values;

test('flags become overrides; absent flags stay absent', () => {
  const values = parse(['latest', '--target', 'sagemaker', '--region', 'eu-west-1', '--bucket', 's3://b/p', '--serverless-memory', '2048', '--serverless-concurrency', '10', '--profile', 'work']);
  assert.deepEqual(sageMakerOverrides(values, 'deploy'), { region: 'eu-west-1', bucket: 's3://b/p', serverlessMemory: 2048, serverlessConcurrency: 10, profile: 'work' });
  assert.equal(hasSageMakerFlags(values), true);
  assert.deepEqual(sageMakerOverrides(parse(['latest']), 'deploy'), {});
  assert.equal(hasSageMakerFlags(parse(['latest', '--target', 'local'])), false);
});

test('a number flag that is not a whole number is a usage error with an example', () => {
  assert.throws(() => sageMakerOverrides(parse(['--serverless-memory', '2GB']), 'deploy'), (e: UsageError) => e instanceof UsageError && e.message === "--serverless-memory expects a whole number, got '2GB'" && e.remedy === 'e.g. --serverless-memory 2048');
});
