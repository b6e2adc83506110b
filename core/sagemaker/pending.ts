// SageMaker jobs a runner started and has not seen end: `.flowbench/remote-jobs.jsonl`, one line per job,
// written the moment CreateTrainingJob/CreateProcessingJob answered and removed once the job's end was dealt
// with. A job still listed when a run starts was left by a runner that died (runs hold the folder's lock,
// so there is no other live one): the next run reattaches to it or says how to stop it, never leaving it
// running unseen.
import * as path from 'node:path';
import { Journal } from '../engine/journal';
import { writerState } from '../runs/liveness';
import type { WriterIdentity } from '../runs/types';
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
  /** The runner that follows the job: while it lives, the job is not left behind (a sweep's variants share a process). */
  writer: WriterIdentity;
  startedAt: number;
}

export function pendingJobs(stateDir: string): Journal<PendingJob> {
  return new Journal(path.join(stateDir, 'remote-jobs.jsonl'), (name, v): v is PendingJob =>
    (v as PendingJob)?.version === 1 && (v as PendingJob).jobName === name);
}

/** Every job listed, oldest first. */
export function listPending(stateDir: string): PendingJob[] {
  const journal = pendingJobs(stateDir);
  try {
    return journal.keys().map((k) => journal.get(k)!).sort((a, b) => a.startedAt - b.startedAt);
  } finally {
    journal.close();
  }
}

/** A job whose runner is gone: nobody follows it, stops it on cancel, or collects its outs. */
export function leftBehind(job: PendingJob): boolean {
  return writerState(job.writer) === 'dead';
}

/** What the CLI says at the start of a run about a job left behind. */
export function leftBehindNote(job: PendingJob, attach: boolean): string {
  const what = `SageMaker ${job.kind} job ${job.jobName} (step ${job.step}, run ${job.runId}) was left running when its runner stopped`;
  if (attach) return `flowbench: ${what}: reattaching to it if the step is still the same`;
  return `flowbench: ${what}: \`flowbench run --attach\` follows it and collects its outs; \`${stopCommand(job)}\` stops it`;
}

/** The AWS CLI command that stops the job, for a message: no Flowbench needed to clean up. */
export function stopCommand(job: Pick<PendingJob, 'jobName' | 'kind' | 'region' | 'awsProfile'>): string {
  const verb = job.kind === 'training' ? 'stop-training-job --training-job-name' : 'stop-processing-job --processing-job-name';
  return `aws sagemaker ${verb} ${job.jobName}${job.region ? ` --region ${job.region}` : ''}${job.awsProfile ? ` --profile ${job.awsProfile}` : ''}`;
}
