// Training and processing jobs behind one shape: the Create request a step becomes, and what Describe says
// (status, secondary status, failure, times, where the output went), so the runner does not care which kind
// of job it follows.
import {
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { s3Uri, type S3Uri } from './s3-objects';

export type JobKind = 'training' | 'processing';

export interface JobSpec {
  kind: JobKind;
  name: string;
  image: string;
  role: string;
  instanceType: string;
  instanceCount: number;
  volumeSizeGb: number;
  maxRuntimeSeconds: number;
  spot: boolean;
  maxWaitSeconds?: number;
  prefix: S3Uri;
  /** The manifest listing the bundle's objects, and the script's object. */
  manifestKey: string;
  scriptHash: string;
  environment: Record<string, string>;
  /** Training only: SageMaker passes them to the container in hyperparameters.json. */
  hyperParameters: Record<string, string>;
}

export interface JobView {
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  secondary?: string;
  /** Secondary status transitions, oldest first: what the log says about the job's phases. */
  transitions: { status: string; message: string }[];
  failureReason?: string;
  arn?: string;
  /** model.tar.gz (training) or the output prefix (processing). */
  output?: string;
  trainingSeconds?: number;
  billableSeconds?: number;
}

/** Where the container sees the bundle and leaves the outs. */
const PATHS = {
  training: { input: '/opt/ml/input/data/flowbench', output: '/opt/ml/model' },
  processing: { input: '/opt/ml/processing/input/flowbench', output: '/opt/ml/processing/output' },
} as const;

export function outputPrefix(spec: Pick<JobSpec, 'prefix' | 'name'>): string {
  return s3Uri(spec.prefix, 'jobs', spec.name, 'output');
}

export function manifestBody(prefix: S3Uri, hashes: string[]): string {
  return JSON.stringify([{ prefix: `${s3Uri(prefix, 'objects')}/` }, ...hashes]);
}

export async function createJob(sm: SageMakerClient, spec: JobSpec, signal: AbortSignal): Promise<string> {
  const paths = PATHS[spec.kind];
  const entry = { ContainerEntrypoint: ['/bin/sh'], ContainerArguments: [`${paths.input}/${spec.scriptHash}`, paths.input, paths.output] };
  const resources = { InstanceType: spec.instanceType as never, InstanceCount: spec.instanceCount, VolumeSizeInGB: spec.volumeSizeGb };
  const manifest = `s3://${spec.prefix.bucket}/${spec.manifestKey}`;
  if (spec.kind === 'training') {
    const out = await sm.send(
      new CreateTrainingJobCommand({
        TrainingJobName: spec.name,
        RoleArn: spec.role,
        AlgorithmSpecification: { TrainingImage: spec.image, TrainingInputMode: 'File', ...entry },
        HyperParameters: spec.hyperParameters,
        Environment: spec.environment,
        InputDataConfig: [{ ChannelName: 'flowbench', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: manifest, S3DataDistributionType: 'FullyReplicated' } } }],
        OutputDataConfig: { S3OutputPath: s3Uri(spec.prefix, 'jobs') },
        ResourceConfig: resources,
        StoppingCondition: { MaxRuntimeInSeconds: spec.maxRuntimeSeconds, ...(spec.spot ? { MaxWaitTimeInSeconds: spec.maxWaitSeconds ?? 2 * spec.maxRuntimeSeconds } : {}) },
        ...(spec.spot ? { EnableManagedSpotTraining: true } : {}),
        Tags: [{ Key: 'flowbench:job', Value: spec.name }],
      }),
      { abortSignal: signal },
    );
    return out.TrainingJobArn ?? '';
  }
  const out = await sm.send(
    new CreateProcessingJobCommand({
      ProcessingJobName: spec.name,
      RoleArn: spec.role,
      AppSpecification: { ImageUri: spec.image, ...entry },
      Environment: spec.environment,
      ProcessingInputs: [{ InputName: 'flowbench', S3Input: { S3Uri: manifest, S3DataType: 'ManifestFile', LocalPath: paths.input, S3InputMode: 'File' } }],
      ProcessingOutputConfig: { Outputs: [{ OutputName: 'outs', S3Output: { S3Uri: outputPrefix(spec), LocalPath: paths.output, S3UploadMode: 'EndOfJob' } }] },
      ProcessingResources: { ClusterConfig: { ...resources, VolumeSizeInGB: spec.volumeSizeGb } },
      StoppingCondition: { MaxRuntimeInSeconds: spec.maxRuntimeSeconds },
      Tags: [{ Key: 'flowbench:job', Value: spec.name }],
    }),
    { abortSignal: signal },
  );
  return out.ProcessingJobArn ?? '';
}

const seconds = (a?: Date, b?: Date) => (a && b ? Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000)) : undefined);

export async function describeJob(sm: SageMakerClient, kind: JobKind, name: string, signal?: AbortSignal): Promise<JobView> {
  if (kind === 'training') {
    const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), { abortSignal: signal });
    return {
      status: (d.TrainingJobStatus ?? 'InProgress') as JobView['status'],
      secondary: d.SecondaryStatus,
      transitions: (d.SecondaryStatusTransitions ?? []).map((t) => ({ status: String(t.Status), message: t.StatusMessage ?? '' })),
      ...(d.FailureReason ? { failureReason: d.FailureReason } : {}),
      arn: d.TrainingJobArn,
      ...(d.ModelArtifacts?.S3ModelArtifacts ? { output: d.ModelArtifacts.S3ModelArtifacts } : {}),
      trainingSeconds: d.TrainingTimeInSeconds ?? seconds(d.TrainingStartTime, d.TrainingEndTime),
      billableSeconds: d.BillableTimeInSeconds,
    };
  }
  const d = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), { abortSignal: signal });
  const ran = seconds(d.ProcessingStartTime, d.ProcessingEndTime);
  return {
    status: (d.ProcessingJobStatus ?? 'InProgress') as JobView['status'],
    transitions: [],
    ...(d.FailureReason ? { failureReason: d.FailureReason } : {}),
    ...(d.ExitMessage && d.ProcessingJobStatus === 'Stopped' ? { secondary: d.ExitMessage } : {}),
    arn: d.ProcessingJobArn,
    output: d.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri,
    trainingSeconds: ran,
    // Processing is billed for the time it ran (per instance, as BillableTimeInSeconds is).
    ...(ran !== undefined ? { billableSeconds: ran } : {}),
  };
}

export async function stopJob(sm: SageMakerClient, kind: JobKind, name: string): Promise<void> {
  if (kind === 'training') await sm.send(new StopTrainingJobCommand({ TrainingJobName: name }));
  else await sm.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
}

/** `fb-<step>-<fingerprint>-<time>`: SageMaker's pattern, at most 63 characters, unique per attempt. */
export function jobName(step: string, fingerprint: string, now = Date.now()): string {
  const s = step.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'step';
  return `fb-${s}-${fingerprint.slice(0, 10)}-${now.toString(36)}`;
}

export const LOG_GROUPS: Record<JobKind, string> = { training: '/aws/sagemaker/TrainingJobs', processing: '/aws/sagemaker/ProcessingJobs' };
