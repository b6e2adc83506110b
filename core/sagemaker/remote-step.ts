// One attempt of a `run:` step as a SageMaker job: bundle and upload what it reads (only what S3 lacks),
// create the job, follow its status and CloudWatch Logs into the step log with a backoff, and on success
// lay its outs into the working tree, where the engine hashes and caches them as it does a local step's.
// Cancel stops the job and waits until SageMaker says Stopped. A job an earlier, dead runner left behind
// is found in the pending journal: followed again with `--attach`, reused when it completed for the same
// fingerprint, and otherwise reported with the commands to follow or stop it — never duplicated.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { awsClientConfig, s3ClientConfig } from '../aws/clients';
import { awsProblem } from '../aws/errors';
import { replaceableOut } from '../flow/confine';
import { formatParam } from '../flow/interpolate';
import type { SageMakerCompute, Step } from '../flow/model';
import type { RemoteJob } from '../engine/events';
import type { ContentHasher } from '../engine/hasher';
import { sha256Text } from '../engine/hasher';
import { leafParams } from '../engine/params';
import { buildBundle } from './bundle';
import { remoteSettings } from './settings';
import { estimateCostUsd } from './cost';
import { createJob, describeJob, jobName, LOG_GROUPS, manifestBody, stopJob, type JobKind, type JobSpec, type JobView } from './jobs';
import { LogFollower } from './log-follower';
import { currentWriter } from '../runs/liveness';
import { leftBehind as isLeftBehind, pendingJobs, stopCommand, type PendingJob } from './pending';
import { downloadTo, listUnder, parseS3Uri, s3Uri, uploadMissing, type S3Uri } from './s3-objects';

export interface RemoteStepInput {
  root: string;
  stateDir: string;
  step: Step & { compute: SageMakerCompute };
  fingerprint: string;
  runId: string;
  /** The command after interpolation, and the cwd relative to the flow folder. */
  command: string;
  cwd: string;
  params: Map<string, unknown>;
  /** The step's `env:` entries, interpolated. */
  env: Record<string, string>;
  outs: string[];
  hasher: ContentHasher;
  signal: AbortSignal;
  /** Follow a job a dead runner left for this step and fingerprint instead of refusing. */
  attach: boolean;
  line: (text: string) => void;
  note: (text: string) => void;
  onJob: (job: RemoteJob) => void;
}

export type RemoteResult = { ok: true; job: RemoteJob } | { ok: false; cancelled?: boolean; message: string; job?: RemoteJob };

const TERMINAL = new Set(['Completed', 'Failed', 'Stopped']);
const DEFAULT_RUNTIME = 86_400;

/** First poll interval; grows while nothing changes. FLOWBENCH_SAGEMAKER_POLL_MS sets it (tests use a few ms). */
function pollStart(): number {
  const ms = Number(process.env.FLOWBENCH_SAGEMAKER_POLL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 2000;
}
const POLL_MAX_FACTOR = 10;

interface Clients {
  sm: SageMakerClient;
  s3: S3Client;
  logs: CloudWatchLogsClient;
  region?: string;
  awsProfile?: string;
  role: string;
}

export async function runRemoteStep(input: RemoteStepInput): Promise<RemoteResult> {
  const c = input.step.compute;
  const settings = remoteSettings(input.root, input.step.name, c);
  if ('problem' in settings) return { ok: false, message: settings.problem };
  const { profile, prefix } = settings;
  const clients: Clients = {
    sm: new SageMakerClient(awsClientConfig(profile)),
    s3: new S3Client(s3ClientConfig(profile)),
    logs: new CloudWatchLogsClient(awsClientConfig(profile)),
    awsProfile: profile.awsProfile,
    role: profile.roleArn,
  };
  try {
    clients.region = await clients.sm.config.region();
  } catch {
    // The SDK fails the first call with its own message when no region is configured.
  }
  const kind: JobKind = c.job?.value ?? 'training';
  const base = {
    target: 'sagemaker' as const,
    kind,
    instanceType: c.instanceType?.value ?? '',
    instanceCount: c.instanceCount?.value ?? 1,
    spot: c.spot?.value === true,
    ...(clients.region ? { region: clients.region } : {}),
  };
  const journal = pendingJobs(input.stateDir);
  try {
    const left = await leftBehind(input, clients, journal, base);
    if (left) return left;
    return await startAndFollow(input, clients, journal, base, prefix);
  } catch (err) {
    if (input.signal.aborted) return { ok: false, cancelled: true, message: String(input.signal.reason) };
    const problem = awsProblem(err, `run step ${input.step.name} on SageMaker`);
    return { ok: false, message: `${problem.message}${problem.remedy ? `: ${problem.remedy}` : ''}` };
  } finally {
    journal.close();
    for (const client of [clients.sm, clients.s3, clients.logs]) client.destroy();
  }
}

type Base = Omit<RemoteJob, 'jobName' | 'status'>;

/** A job of this step that a dead runner left: follow or reuse it, refuse to start a second one, or forget it. */
async function leftBehind(input: RemoteStepInput, clients: Clients, journal: ReturnType<typeof pendingJobs>, base: Base): Promise<RemoteResult | undefined> {
  for (const name of journal.keys()) {
    const job = journal.get(name);
    if (!job || job.step !== input.step.name || !isLeftBehind(job)) continue;
    let view: JobView;
    try {
      view = await describeJob(clients.sm, job.kind, job.jobName, input.signal);
    } catch (err) {
      input.note(`warning: could not find SageMaker job ${job.jobName} left by run ${job.runId} (${(err as Error).message}); forgetting it`);
      journal.delete(name);
      continue;
    }
    const same = job.fingerprint === input.fingerprint && job.kind === base.kind;
    if (same && (input.attach || view.status === 'Completed')) {
      input.note(`${view.status === 'Completed' ? 'found' : 'reattaching to'} SageMaker job ${job.jobName}, started by run ${job.runId} whose runner stopped (status ${view.status})`);
      return follow(input, clients, journal, job, { ...base, jobName: job.jobName, ...(view.arn ? { jobArn: view.arn } : {}), status: view.status, attached: true });
    }
    if (!TERMINAL.has(view.status)) {
      const follow = same ? '`flowbench run --attach` follows it' : 'it runs an older version of this step';
      return { ok: false, message: `SageMaker job ${job.jobName} of this step, started by run ${job.runId} whose runner stopped, is still ${view.status}: ${follow}; stop it with \`${stopCommand(job)}\`` };
    }
    journal.delete(name);
  }
  return undefined;
}

async function startAndFollow(input: RemoteStepInput, clients: Clients, journal: ReturnType<typeof pendingJobs>, base: Base, prefix: S3Uri): Promise<RemoteResult> {
  const c = input.step.compute;
  const bundle = await buildBundle({ root: input.root, step: input.step, command: input.command, cwd: input.cwd, params: input.params, outs: input.outs }, input.hasher);
  const upload = await uploadMissing(clients.s3, prefix, bundle.objects, input.signal);
  const manifest = manifestBody(prefix, bundle.objects.map((o) => o.hash));
  const manifestKey = [prefix.key, 'manifests', `${sha256Text(manifest)}.json`].filter(Boolean).join('/');
  const manifestSent = await putUnlessThere(clients.s3, prefix.bucket, manifestKey, manifest, input.signal);
  const uploadedBytes = upload.bytesSent + manifestSent;
  const total = bundle.objects.reduce((n, o) => n + o.size, 0);
  input.note(`SageMaker: ${bundle.objects.length} object${bundle.objects.length === 1 ? '' : 's'} (${mb(total)}) for the job, ${upload.sent} sent (${mb(upload.bytesSent)}), ${upload.reused} already in ${s3Uri(prefix, 'objects')}/`);
  const runtime = runtimeOf(input.step);
  const spec: JobSpec = {
    kind: base.kind,
    name: jobName(input.step.name, input.fingerprint),
    image: c.image?.value ?? '',
    role: clients.role,
    instanceType: base.instanceType,
    instanceCount: base.instanceCount,
    volumeSizeGb: c.volumeSizeGb?.value ?? 30,
    maxRuntimeSeconds: runtime,
    spot: base.spot,
    ...(c.maxWaitSeconds ? { maxWaitSeconds: c.maxWaitSeconds.value } : {}),
    prefix,
    manifestKey,
    scriptHash: bundle.scriptHash,
    environment: { FLOWBENCH_RUN_ID: input.runId, FLOWBENCH_STEP: input.step.name, ...input.env },
    hyperParameters: base.kind === 'training' ? Object.fromEntries([...leafParams(input.params)].map(([k, v]) => [k, formatParam(v)])) : {},
  };
  if (input.signal.aborted) return { ok: false, cancelled: true, message: String(input.signal.reason) };
  const arn = await createJob(clients.sm, spec, input.signal);
  const pending: PendingJob = {
    version: 1,
    jobName: spec.name,
    kind: spec.kind,
    ...(base.region ? { region: base.region } : {}),
    ...(clients.awsProfile ? { awsProfile: clients.awsProfile } : {}),
    step: input.step.name,
    fingerprint: input.fingerprint,
    runId: input.runId,
    writer: currentWriter(),
    startedAt: Date.now(),
  };
  journal.set(spec.name, pending);
  input.note(`SageMaker ${spec.kind} job ${spec.name} created on ${spec.instanceCount} × ${spec.instanceType}${spec.spot ? ' (spot)' : ''}`);
  return follow(input, clients, journal, pending, { ...base, jobName: spec.name, jobArn: arn, status: 'InProgress', uploadedBytes });
}

/** Follows the job to its end (stopping it on cancel), then brings its outs into the working tree. */
async function follow(input: RemoteStepInput, clients: Clients, journal: ReturnType<typeof pendingJobs>, pending: PendingJob, job: RemoteJob): Promise<RemoteResult> {
  input.onJob(job);
  const { view, stopping } = await untilEnd(input, clients, pending);
  const final: RemoteJob = {
    ...job,
    ...(view.arn ? { jobArn: view.arn } : {}),
    status: view.status,
    ...(view.trainingSeconds !== undefined ? { trainingSeconds: view.trainingSeconds } : {}),
    ...(view.billableSeconds !== undefined ? { billableSeconds: view.billableSeconds } : {}),
  };
  const cost = estimateCostUsd(final.instanceType, final.instanceCount, final.billableSeconds);
  if (cost !== undefined) final.estimatedCostUsd = cost;
  if (final.billableSeconds !== undefined) input.note(`SageMaker job ${pending.jobName} ${view.status}: ${final.trainingSeconds ?? '?'} s of training, ${final.billableSeconds} s billable${cost !== undefined ? `, about $${cost < 0.01 ? cost.toPrecision(2) : cost.toFixed(2)} at list price` : ''}`);
  if (view.status !== 'Completed') {
    journal.delete(pending.jobName);
    input.onJob(final);
    if (stopping) return { ok: false, cancelled: true, message: String(input.signal.reason), job: final };
    return { ok: false, message: failureMessage(input.step, pending.jobName, view), job: final };
  }
  if (!view.output) throw new Error(`job ${pending.jobName} completed without saying where its output is`);
  await bringOuts(input, clients.s3, pending.kind, view.output);
  journal.delete(pending.jobName);
  input.onJob(final);
  return { ok: true, job: final };
}

/**
 * Polls Describe and the logs until the job is Completed, Failed or Stopped: quickly while something
 * happens, backing off while nothing does. A cancel stops the job, and its end is still awaited.
 */
async function untilEnd(input: RemoteStepInput, clients: Clients, pending: PendingJob): Promise<{ view: JobView; stopping: boolean }> {
  const follower = new LogFollower(clients.logs, LOG_GROUPS[pending.kind], pending.jobName, (text) => input.line(text));
  const start = pollStart();
  let wait = start;
  let seenTransitions = 0;
  let stopping = false;
  for (;;) {
    // Once stopping, these calls must not be aborted with the run: the job's end is what we wait for.
    const signal = stopping ? undefined : input.signal;
    const view = await describeJob(clients.sm, pending.kind, pending.jobName, signal).catch((err) => {
      if (signal?.aborted) return undefined;
      throw err;
    });
    if (view) {
      for (const t of view.transitions.slice(seenTransitions)) input.note(transitionNote(pending.jobName, t));
      const changed = view.transitions.length !== seenTransitions;
      seenTransitions = view.transitions.length;
      const lines = await follower.poll(signal).catch((err) => {
        if (signal?.aborted) return 0;
        throw err;
      });
      if (TERMINAL.has(view.status)) {
        // Lines the job wrote just before its end.
        await follower.poll();
        return { view, stopping };
      }
      wait = changed || lines ? start : Math.min(wait * 1.5, start * POLL_MAX_FACTOR);
    }
    if (input.signal.aborted && !stopping) {
      stopping = true;
      input.note(`stopping SageMaker job ${pending.jobName} and waiting for SageMaker to report it stopped…`);
      // A job that ended meanwhile cannot be stopped; the next Describe says how it ended.
      await stopJob(clients.sm, pending.kind, pending.jobName).catch((err) => input.note(`warning: ${(err as Error).message}`));
      wait = start;
      continue;
    }
    await sleep(wait, undefined, stopping ? {} : { signal: input.signal }).catch(() => undefined);
  }
}

function transitionNote(job: string, t: { status: string; message: string }): string {
  const spot = t.status === 'Interrupted' ? ' (spot capacity was reclaimed; SageMaker resumes the job when capacity returns, within max_wait_seconds)' : '';
  return `SageMaker job ${job}: ${t.status}${t.message ? ` — ${t.message}` : ''}${spot}`;
}

function failureMessage(step: SageMakerStep, name: string, view: JobView): string {
  if (view.status === 'Failed') return `SageMaker job ${name} failed: ${view.failureReason ?? 'no reason given'}`;
  const why = view.secondary ?? '';
  if (why === 'MaxWaitTimeExceeded' || /MaxWaitTime/i.test(why)) {
    const wait = step.compute.maxWaitSeconds?.value ?? 2 * runtimeOf(step);
    return `SageMaker spot job ${name} was stopped by SageMaker: waiting for spot capacity plus running took longer than max_wait_seconds (${wait} s). Raise \`max_wait_seconds:\`, or drop \`spot:\` to run on on-demand capacity`;
  }
  if (why === 'MaxRuntimeExceeded' || /MaxRuntime/i.test(why)) {
    return `SageMaker job ${name} was stopped by SageMaker: it ran longer than its limit (${runtimeOf(step)} s). Raise \`max_runtime_seconds:\``;
  }
  return `SageMaker job ${name} was stopped outside this run${why ? ` (${why})` : ''}`;
}

type SageMakerStep = Step & { compute: SageMakerCompute };

/** MaxRuntimeInSeconds: `max_runtime_seconds`, else the step's `timeout:` (the same limit, enforced by SageMaker), else a day. */
function runtimeOf(step: SageMakerStep): number {
  const timeout = step.timeout?.value;
  return step.compute.maxRuntimeSeconds?.value ?? (timeout !== undefined && timeout > 0 ? Math.ceil(timeout) : DEFAULT_RUNTIME);
}

/**
 * Unpacks the job's output (model.tar.gz, or the processing output prefix) beside the project in
 * .flowbench/tmp/, then moves each declared out into place; an out the job did not produce stays missing,
 * and the engine reports it as it does for a local step.
 */
async function bringOuts(input: RemoteStepInput, s3: S3Client, kind: JobKind, output: string): Promise<void> {
  const uri = parseS3Uri(output);
  if (!uri) throw new Error(`the job's output '${output}' is not an s3:// location`);
  const staging = path.join(input.stateDir, 'tmp', `remote-${process.pid}-${Date.now().toString(36)}`);
  await fs.promises.mkdir(staging, { recursive: true });
  try {
    if (kind === 'training') {
      const archive = `${staging}.tar.gz`;
      try {
        await downloadTo(s3, uri, archive, input.signal);
        await tar.x({ file: archive, cwd: staging, strict: true, preservePaths: false });
      } finally {
        await fs.promises.rm(archive, { force: true });
      }
    } else {
      for (const rel of await listUnder(s3, uri, input.signal)) {
        const file = path.resolve(staging, rel);
        if (!file.startsWith(staging + path.sep)) continue;
        await downloadTo(s3, { bucket: uri.bucket, key: `${uri.key}/${rel}` }, file, input.signal);
      }
    }
    for (const out of input.outs) {
      const rel = out.replace(/\/+$/, '');
      const from = path.join(staging, rel);
      if (!fs.existsSync(from)) continue;
      const dest = replaceableOut(input.root, rel);
      await fs.promises.rm(dest, { recursive: true, force: true });
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      await fs.promises.rename(from, dest);
    }
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/** Bytes sent: 0 when the object is there already. */
async function putUnlessThere(s3: S3Client, Bucket: string, Key: string, body: string, signal: AbortSignal): Promise<number> {
  const there = await s3.send(new HeadObjectCommand({ Bucket, Key }), { abortSignal: signal }).then(() => true, () => false);
  if (there) return 0;
  await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: 'application/json' }), { abortSignal: signal });
  return Buffer.byteLength(body);
}

function mb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

