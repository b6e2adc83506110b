// SageMaker training and processing jobs for the fake AWS server: Create/Describe/Stop with the service's
// state machine (InProgress → Completed | Failed | Stopping → Stopped, secondary statuses and their
// transitions), checked as the service checks a request (name pattern, duplicate names, role, spot limits).
// A job "runs" by its test's script: by default it does what the container would — input channels are
// materialized from the S3 store (prefixes and manifest files) into a sandbox standing for /opt/ml, the
// container's entrypoint and arguments run as a real child process with the job's environment, each output
// line becomes a CloudWatch Logs event, and at the end /opt/ml/model goes to S3 as model.tar.gz (training)
// or the processing outputs' folders to their S3 prefixes. A script can instead drive the job by hand
// (log lines, secondary statuses, a gate the test opens, a failure).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import * as tar from 'tar';
import type { FakeLogs } from './logs';
import { FakeAwsError, type FakeAws } from './server';

export type JobKind = 'training' | 'processing';
export type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface FakeJob {
  kind: JobKind;
  name: string;
  arn: string;
  request: Record<string, unknown>;
  status: JobStatus;
  secondary: string;
  transitions: { Status: string; StartTime: number; EndTime?: number; StatusMessage: string }[];
  failureReason?: string;
  created: number;
  ended?: number;
  /** Reported as TrainingTimeInSeconds / BillableTimeInSeconds; default the wall time of the script. */
  trainingSeconds?: number;
  billableSeconds?: number;
  /** Settles when the job reached its final status. */
  done: Promise<void>;
}

/** How a script ends a job other than Completed. */
export type JobEnd = { failed: string } | { stoppedBy: 'MaxWaitTimeExceeded' | 'MaxRuntimeExceeded'; message: string };

export interface JobIo {
  job: FakeJob;
  /** The files of an input channel (training) or processing input (by InputName), by path below its folder. */
  input(name: string): Map<string, Buffer>;
  log(line: string): void;
  secondary(status: string, message: string): void;
  /** Runs the container's entrypoint in the sandbox; its lines go to the job's log. Resolves to its exit code. */
  exec(): Promise<number>;
  /** Puts a file where the container would leave it (/opt/ml/model or a processing output's folder). */
  output(rel: string, body: Buffer | string): void;
  /** Resolves when Stop… was called for the job. */
  stopped: Promise<void>;
}

export type JobScript = (io: JobIo) => Promise<JobEnd | void>;

export interface FakeSageMakerJobs {
  jobs: Map<string, FakeJob>;
  /** The script for the jobs created from now on; the default runs the container's entrypoint. */
  script: JobScript;
  /** Resolves with the job once a job with this name prefix exists. */
  created(prefix?: string): Promise<FakeJob>;
}

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const runEntrypoint: JobScript = async (io) => {
  const code = await io.exec();
  if (code !== 0) return { failed: `AlgorithmError: the container's entrypoint exited with code ${code}` };
};

function parseS3(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new FakeAwsError('ValidationException', `'${uri}' is not an s3:// URI`);
  return { bucket: m[1]!, key: m[2]! };
}

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      out = out.concat(e.isDirectory() ? filesUnder(p) : [p]);
    }
  } catch {
    // no folder: nothing written
  }
  return out;
}

export function addSageMakerJobs(fake: FakeAws, logs: FakeLogs): FakeSageMakerJobs {
  const jobs = new Map<string, FakeJob>();
  const waiters: { prefix: string; ok: (j: FakeJob) => void }[] = [];
  const api: FakeSageMakerJobs = {
    jobs,
    script: runEntrypoint,
    created: (prefix = '') => {
      const found = [...jobs.values()].find((j) => j.name.startsWith(prefix));
      return found ? Promise.resolve(found) : new Promise((ok) => waiters.push({ prefix, ok }));
    },
  };
  const stopSignals = new Map<string, () => void>();

  /** Objects of an S3 prefix or a manifest file, by the path they land at below the channel's folder. */
  const channelFiles = (type: string, uri: string): Map<string, Buffer> => {
    const { bucket, key } = parseS3(uri);
    const files = new Map<string, Buffer>();
    const fetch = (prefix: string, k: string) => {
      const obj = fake.s3.get(bucket, prefix + k);
      if (!obj) throw new Error(`ClientError: s3://${bucket}/${prefix}${k} does not exist`);
      files.set(k, obj.body);
    };
    if (type === 'ManifestFile') {
      const manifest = fake.s3.get(bucket, key);
      if (!manifest) throw new Error(`ClientError: the manifest s3://${bucket}/${key} does not exist`);
      const [head, ...keys] = JSON.parse(manifest.body.toString('utf8')) as [{ prefix: string }, ...string[]];
      const base = parseS3(head.prefix);
      if (base.bucket !== bucket) throw new Error('ClientError: a manifest may only name objects in its own bucket');
      for (const k of keys) fetch(base.key, k);
    } else {
      const prefix = key.endsWith('/') || !key ? key : `${key}/`;
      for (const k of fake.s3.keys(bucket, prefix)) fetch(prefix, k.slice(prefix.length));
    }
    return files;
  };

  const start = (kind: JobKind, input: Record<string, unknown>): FakeJob => {
    const nameKey = kind === 'training' ? 'TrainingJobName' : 'ProcessingJobName';
    const name = String(input[nameKey] ?? '');
    if (!NAME.test(name)) throw new FakeAwsError('ValidationException', `1 validation error detected: Value '${name}' at '${nameKey.charAt(0).toLowerCase() + nameKey.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
    if (jobs.has(name)) throw new FakeAwsError('ResourceInUse', `Job ${name} already exists`);
    if (!String(input.RoleArn ?? '').startsWith('arn:')) throw new FakeAwsError('ValidationException', 'RoleArn must be an IAM role ARN');
    const stopping = (input.StoppingCondition ?? {}) as { MaxRuntimeInSeconds?: number; MaxWaitTimeInSeconds?: number };
    if (input.EnableManagedSpotTraining) {
      if (!stopping.MaxWaitTimeInSeconds) throw new FakeAwsError('ValidationException', 'MaxWaitTimeInSeconds is required for managed spot training');
      if (stopping.MaxWaitTimeInSeconds < (stopping.MaxRuntimeInSeconds ?? 86400)) throw new FakeAwsError('ValidationException', 'MaxWaitTimeInSeconds must be at least MaxRuntimeInSeconds');
    }
    const now = Date.now();
    const job: FakeJob = {
      kind,
      name,
      arn: `arn:aws:sagemaker:us-east-1:000000000000:${kind}-job/${name.toLowerCase()}`,
      request: input,
      status: 'InProgress',
      secondary: 'Starting',
      transitions: [{ Status: 'Starting', StartTime: now / 1000, StatusMessage: 'Preparing the instances for training' }],
      created: now,
      done: Promise.resolve(),
    };
    jobs.set(name, job);
    let stop!: () => void;
    const stopped = new Promise<void>((ok) => (stop = ok));
    stopSignals.set(name, stop);
    job.done = run(job, stopped);
    for (const w of waiters.splice(0)) {
      if (name.startsWith(w.prefix)) w.ok(job);
      else waiters.push(w);
    }
    return job;
  };

  const run = async (job: FakeJob, stopped: Promise<void>): Promise<void> => {
    const sandbox = mkdtempSync(join(tmpdir(), 'fake-sm-'));
    const group = job.kind === 'training' ? '/aws/sagemaker/TrainingJobs' : '/aws/sagemaker/ProcessingJobs';
    const stream = `${job.name}/algo-1-${Math.floor(job.created / 1000)}`;
    const at = (p: string) => (p.startsWith('/opt/ml') ? join(sandbox, p) : p);
    const req = job.request as Record<string, any>;
    const outputDirs: { local: string; s3: string }[] =
      job.kind === 'training' ? [{ local: '/opt/ml/model', s3: '' }] : ((req.ProcessingOutputConfig?.Outputs ?? []) as any[]).map((o) => ({ local: o.S3Output.LocalPath, s3: o.S3Output.S3Uri }));
    const secondary = (status: string, message: string) => {
      const last = job.transitions.at(-1);
      if (last) last.EndTime = Date.now() / 1000;
      job.secondary = status;
      job.transitions.push({ Status: status, StartTime: Date.now() / 1000, StatusMessage: message });
    };
    let child: ReturnType<typeof spawn> | undefined;
    let stopRequested = false;
    void stopped.then(() => {
      stopRequested = true;
      child?.kill('SIGKILL');
    });
    const io: JobIo = {
      job,
      input: (name) => {
        if (job.kind === 'training') {
          const ch = ((req.InputDataConfig ?? []) as any[]).find((c) => c.ChannelName === name);
          if (!ch) throw new Error(`no channel ${name}`);
          return channelFiles(ch.DataSource.S3DataSource.S3DataType, ch.DataSource.S3DataSource.S3Uri);
        }
        const pi = ((req.ProcessingInputs ?? []) as any[]).find((c) => c.InputName === name);
        if (!pi) throw new Error(`no processing input ${name}`);
        return channelFiles(pi.S3Input.S3DataType, pi.S3Input.S3Uri);
      },
      log: (line) => logs.put(group, stream, line),
      secondary,
      output: (rel, body) => {
        const file = join(at(outputDirs[0]!.local), rel);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, body);
      },
      stopped,
      exec: async () => {
        const inputs = job.kind === 'training'
          ? ((req.InputDataConfig ?? []) as any[]).map((c) => ({ name: c.ChannelName as string, local: `/opt/ml/input/data/${c.ChannelName}` }))
          : ((req.ProcessingInputs ?? []) as any[]).map((c) => ({ name: c.InputName as string, local: c.S3Input.LocalPath as string }));
        for (const i of inputs) {
          for (const [rel, body] of io.input(i.name)) {
            const file = join(at(i.local), rel);
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, body);
          }
        }
        for (const o of outputDirs) mkdirSync(at(o.local), { recursive: true });
        if (job.kind === 'training') {
          mkdirSync(at('/opt/ml/input/config'), { recursive: true });
          writeFileSync(at('/opt/ml/input/config/hyperparameters.json'), JSON.stringify(req.HyperParameters ?? {}));
        }
        const spec = (job.kind === 'training' ? req.AlgorithmSpecification : req.AppSpecification) ?? {};
        const argv = [...(spec.ContainerEntrypoint ?? []), ...(spec.ContainerArguments ?? [])].map(String).map(at);
        if (!argv.length) throw new Error('the fake runs only jobs that give ContainerEntrypoint');
        if (stopRequested) return 137;
        secondary(job.kind === 'training' ? 'Training' : 'InProgress', 'Training image download completed. Training in progress.');
        return new Promise<number>((ok) => {
          child = spawn(argv[0]!, argv.slice(1), { cwd: sandbox, env: { PATH: process.env.PATH, HOME: sandbox, TMPDIR: sandbox, ...(req.Environment ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
          for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', io.log);
          child.on('error', (e) => (io.log(`exec error: ${e.message}`), ok(127)));
          child.on('close', (code) => ok(code ?? 137));
        });
      },
    };
    let end: JobEnd | void;
    try {
      end = await api.script(io);
    } catch (e) {
      end = { failed: (e as Error).message };
    }
    const seconds = Math.max(1, Math.ceil((Date.now() - job.created) / 1000));
    job.trainingSeconds ??= seconds;
    job.billableSeconds ??= job.trainingSeconds;
    try {
      if (stopRequested) {
        secondary('Stopped', 'Training job stopped by user request');
        job.status = 'Stopped';
      } else if (end && 'failed' in end) {
        secondary('Failed', end.failed);
        job.status = 'Failed';
        job.failureReason = end.failed;
      } else if (end && 'stoppedBy' in end) {
        secondary(end.stoppedBy, end.message);
        job.status = 'Stopped';
      } else {
        secondary('Uploading', 'Uploading generated training model');
        await uploadOutputs(job, outputDirs, at);
        secondary('Completed', 'Training job completed');
        job.status = 'Completed';
      }
    } catch (e) {
      job.status = 'Failed';
      job.failureReason = `ClientError: could not upload the outputs: ${(e as Error).message}`;
    }
    job.ended = Date.now();
    rmSync(sandbox, { recursive: true, force: true });
  };

  const uploadOutputs = async (job: FakeJob, dirs: { local: string; s3: string }[], at: (p: string) => string) => {
    const req = job.request as Record<string, any>;
    if (job.kind === 'training') {
      const dir = at('/opt/ml/model');
      const { bucket, key } = parseS3(`${String(req.OutputDataConfig.S3OutputPath).replace(/\/$/, '')}/${job.name}/output/model.tar.gz`);
      const archive = join(dirname(dir), 'model.tar.gz');
      await tar.c({ gzip: true, file: archive, cwd: dir, portable: true }, readdirSync(dir));
      fake.s3.put(bucket, key, readFileSync(archive));
      return;
    }
    for (const d of dirs) {
      const { bucket, key } = parseS3(d.s3);
      const local = at(d.local);
      for (const file of filesUnder(local)) if (statSync(file).isFile()) fake.s3.put(bucket, `${key.replace(/\/$/, '')}/${relative(local, file)}`, readFileSync(file));
    }
  };

  const find = (name: unknown) => {
    const job = jobs.get(String(name));
    if (!job) throw new FakeAwsError('ValidationException', `Requested resource not found: job ${String(name)}`);
    return job;
  };
  const stopJob = (name: unknown) => {
    const job = find(name);
    if (job.status !== 'InProgress') throw new FakeAwsError('ValidationException', `The job ${job.name} is not in progress (status ${job.status})`);
    job.status = 'Stopping';
    job.secondary = 'Stopping';
    stopSignals.get(job.name)!();
    return {};
  };
  const times = (job: FakeJob) => ({
    CreationTime: job.created / 1000,
    LastModifiedTime: (job.ended ?? Date.now()) / 1000,
    ...(job.ended ? { EndTime: job.ended / 1000 } : {}),
  });

  fake.on('SageMaker.CreateTrainingJob', (input) => ({ TrainingJobArn: start('training', input).arn }));
  fake.on('SageMaker.CreateProcessingJob', (input) => ({ ProcessingJobArn: start('processing', input).arn }));
  fake.on('SageMaker.StopTrainingJob', (input) => stopJob(input.TrainingJobName));
  fake.on('SageMaker.StopProcessingJob', (input) => stopJob(input.ProcessingJobName));
  fake.on('SageMaker.DescribeTrainingJob', (input) => {
    const job = find(input.TrainingJobName);
    const req = job.request as Record<string, any>;
    return {
      ...req,
      TrainingJobArn: job.arn,
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondary,
      SecondaryStatusTransitions: job.transitions,
      ...(job.failureReason ? { FailureReason: job.failureReason } : {}),
      ...(job.status === 'Completed' ? { ModelArtifacts: { S3ModelArtifacts: `${String(req.OutputDataConfig.S3OutputPath).replace(/\/$/, '')}/${job.name}/output/model.tar.gz` } } : {}),
      TrainingStartTime: job.created / 1000,
      ...(job.ended ? { TrainingEndTime: job.ended / 1000, TrainingTimeInSeconds: job.trainingSeconds, BillableTimeInSeconds: job.billableSeconds } : {}),
      ...times(job),
    };
  });
  fake.on('SageMaker.DescribeProcessingJob', (input) => {
    const job = find(input.ProcessingJobName);
    return {
      ...job.request,
      ProcessingJobArn: job.arn,
      ProcessingJobStatus: job.status,
      ...(job.failureReason ? { FailureReason: job.failureReason } : {}),
      ...(job.status === 'Stopped' && job.secondary !== 'Stopped' ? { ExitMessage: job.transitions.at(-1)?.StatusMessage } : {}),
      ProcessingStartTime: job.created / 1000,
      ...(job.ended ? { ProcessingEndTime: job.ended / 1000 } : {}),
      ...times(job),
    };
  });
  return api;
}
