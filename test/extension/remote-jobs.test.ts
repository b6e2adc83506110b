import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteJob, RunEvent } from '../../core/engine/events';
import { RemoteJobs } from '../../extension/remote-jobs';

const job = (status: string, extra: Partial<RemoteJob> = {}): RemoteJob => ({ target: 'sagemaker', kind: 'training', jobName: 'fb-train-1', instanceType: 'ml.m5.xlarge', instanceCount: 1, spot: false, status, ...extra });
const remote = (step: string, j: RemoteJob, runId = 'r1'): RunEvent => ({ type: 'step-remote', runId, step, job: j, time: 0 });

test('the status bar names the running SageMaker job and drops it when it ends', () => {
  const jobs = new RemoteJobs();
  assert.equal(jobs.label(), '');
  assert.equal(jobs.onEvent({ type: 'step-start', runId: 'r1', step: 'a', attempt: 1, fingerprint: 'f', reasons: [], time: 0 }), false);
  assert.equal(jobs.onEvent(remote('train', job('InProgress'))), true);
  assert.equal(jobs.label(), ' · $(cloud) sagemaker ml.m5.xlarge');
  jobs.onEvent(remote('tune', job('InProgress', { jobName: 'fb-tune-1', instanceType: 'ml.g5.xlarge', spot: true })));
  assert.equal(jobs.label(), ' · $(cloud) sagemaker ml.m5.xlarge +1');
  assert.match(jobs.tooltip(), /fb-tune-1 on 1 × ml.g5.xlarge \(spot\)/);
  assert.equal(jobs.onEvent(remote('train', job('Completed'))), true);
  assert.equal(jobs.label(), ' · $(cloud) sagemaker ml.g5.xlarge spot');
  jobs.forgetRun('r1');
  assert.equal(jobs.label(), '', 'a run that ended (or was killed) shows no job');
  assert.equal(jobs.onEvent(remote('train', job('Failed'))), false, 'an end for a job not shown changes nothing');
});
