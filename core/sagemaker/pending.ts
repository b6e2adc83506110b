// SageMaker jobs a runner started and has not seen end: `.flowbench/remote-jobs.jsonl`, one line per job,
// written the moment CreateTrainingJob/CreateProcessingJob answered and removed once the job's end was dealt
// with. A job still listed when a run starts was left by a runner that died (runs hold the folder's lock,
// so there is no other live one): the next run reattaches to it or says how to stop it, never leaving it
// running unseen.
import * as path from 'node:path';
import { Journal } from '../engine/journal';
import type { JobKind } from './jobs';

export interface PendingJob {
  version: 1;
  jobName: string;
  kind: JobKind;
  region?: string;
  /** The named AWS profile the job was created with, so stopping it reaches the same account. */
  awsProfile?: string;
  step: string;
  fingerprint: string;
  runId: string;
  startedAt: number;
}

export function pendingJobs(stateDir: string): Journal<PendingJob> {
  return new Journal(path.join(stateDir, 'remote-jobs.jsonl'), (name, v): v is PendingJob =>
    (v as PendingJob)?.version === 1 && (v as PendingJob).jobName === name);
}

/** Every job left listed, oldest first. */
export function listPending(stateDir: string): PendingJob[] {
  const journal = pendingJobs(stateDir);
  try {
    return journal.keys().map((k) => journal.get(k)!).sort((a, b) => a.startedAt - b.startedAt);
  } finally {
    journal.close();
  }
}

/** The AWS CLI command that stops the job, for a message: no Flowbench needed to clean up. */
export function stopCommand(job: Pick<PendingJob, 'jobName' | 'kind' | 'region' | 'awsProfile'>): string {
  const verb = job.kind === 'training' ? 'stop-training-job --training-job-name' : 'stop-processing-job --processing-job-name';
  return `aws sagemaker ${verb} ${job.jobName}${job.region ? ` --region ${job.region}` : ''}${job.awsProfile ? ` --profile ${job.awsProfile}` : ''}`;
}
