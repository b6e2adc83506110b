// Following CloudWatch Logs through the real SDK against the fake: every line once, in order, across pages
// and across the streams of a job (and only that job's), from the last forward token on each poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LogFollower } from '../../core/sagemaker/log-follower';
import { addLogs } from '../helpers/fake-aws/logs';
import { fakeClientConfig, startFakeAws } from '../helpers/fake-aws/server';

test('a log follower pages through each stream of its job and then reads only what is new', async (t) => {
  const fake = await startFakeAws();
  const client = new CloudWatchLogsClient(fakeClientConfig(fake));
  t.after(async () => {
    client.destroy();
    await fake.close();
  });
  const logs = addLogs(fake);
  const group = '/aws/sagemaker/TrainingJobs';
  const lines: string[] = [];
  const follower = new LogFollower(client, group, 'job-a', (text, stream) => lines.push(`${stream.split('/')[1]}: ${text}`));
  assert.equal(await follower.poll(), 0, 'no log group yet: nothing to read, no error');

  for (let i = 0; i < 120; i++) logs.put(group, 'job-a/algo-1-100', `line ${i}`);
  logs.put(group, 'job-a/algo-2-100', 'other instance');
  logs.put(group, 'job-ab/algo-1-100', 'another job whose name starts alike');
  assert.equal(await follower.poll(), 121);
  assert.deepEqual(lines.slice(0, 3), ['algo-1-100: line 0', 'algo-1-100: line 1', 'algo-1-100: line 2']);
  assert.equal(lines[119], 'algo-1-100: line 119');
  assert.equal(lines[120], 'algo-2-100: other instance');
  assert.ok(fake.targets('Logs_20140328.GetLogEvents').length >= 3, 'more than one page');

  logs.put(group, 'job-a/algo-1-100', 'multi\nline');
  assert.equal(await follower.poll(), 1);
  assert.deepEqual(lines.slice(121), ['algo-1-100: multi', 'algo-1-100: line']);
  assert.equal(await follower.poll(), 0, 'nothing new, nothing read twice');
  const describe = fake.calls.filter((c) => c.target === 'Logs_20140328.DescribeLogStreams').at(-1)!;
  assert.deepEqual(describe.input, { logGroupName: group, logStreamNamePrefix: 'job-a/' });
});
