// Deploying a run's model to a SageMaker endpoint and taking it down again. A deploy is: check the profile
// and the endpoint's state (before anything is created or uploaded), upload the package (once per content),
// CreateModel + CreateEndpointConfig under fresh names, then CreateEndpoint — or UpdateEndpoint when the
// endpoint exists, which keeps it serving the old model until the new one is InService — and wait. A Failed
// endpoint cannot be updated: deploy refuses it unless told to recreate it (delete it, wait until SageMaker
// lets go of the name, then create it as new). The
// record under .flowbench/deployments/ is written as soon as AWS holds something, so an interrupted deploy
// can still be listed and undeployed.
import { join } from 'node:path';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  type DescribeEndpointCommandOutput,
  type ProductionVariant,
  type ProductionVariantInstanceType,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig, endpointOverride } from '../aws/clients';
import { AwsProblem, awsProblem, failureProblem } from '../aws/errors';
import { requireProfile, sageMakerProfile, type ProfileOverrides, type SageMakerProfile } from '../aws/profile';
import { deploymentNameProblem, readDeployment, writeDeployment } from './records';
import { tritonImage } from './sagemaker-image';
import { planPackage } from './sagemaker-package';
import { uploadPackage } from './sagemaker-upload';
import { DEFAULT_POLL, delay, WaitCancelled, waitForEndpoint, type PollTiming } from './sagemaker-wait';
import type { DeploymentRecord } from './types';

export interface SageMakerDeployOptions {
  projectDir: string;
  /** The project's `.flowbench` folder. */
  stateDir: string;
  /** Deployment name = endpoint name. */
  name: string;
  flow: string;
  /** The model file, relative to the project. */
  model: string;
  modelSha256: string;
  runId: string;
  /** CLI flags (and a step's compute:) over `.flowbench/sagemaker.json`. */
  overrides?: ProfileOverrides;
  poll?: PollTiming;
  /** A Failed (or OutOfService) endpoint of this name is deleted and created again instead of refused. */
  recreate?: boolean;
}

/** Real-time endpoints get this instance type when the profile names neither one nor serverless sizing. */
export const DEFAULT_INSTANCE_TYPE = 'ml.m5.large';
const VARIANT = 'AllTraffic';
const TAG = 'flowbench:deployment';

export function sageMakerClient(profile: Pick<SageMakerProfile, 'region' | 'awsProfile'>): SageMakerClient {
  return new SageMakerClient(awsClientConfig(profile));
}

async function resolveRegion(sm: SageMakerClient, profile: SageMakerProfile): Promise<string> {
  if (profile.region) return profile.region;
  try {
    return await sm.config.region();
  } catch (e) {
    throw awsProblem(e, 'choose an AWS region');
  }
}

/** The runtime URL the endpoint answers on (an AWS_ENDPOINT_URL override included). */
export function invocationUrl(region: string, endpointName: string): string {
  const base = endpointOverride('SageMaker Runtime') ?? `https://runtime.sagemaker.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  return `${base.replace(/\/+$/, '')}/endpoints/${encodeURIComponent(endpointName)}/invocations`;
}

/** `<name>-<digest8>-<time36>`, within SageMaker's 63 characters: every deploy makes its own model and config. */
function resourceName(name: string, digest: string): string {
  const suffix = `${digest.slice(0, 8)}-${Date.now().toString(36)}`;
  return `${name.slice(0, 62 - suffix.length).replace(/-+$/, '')}-${suffix}`;
}

function isNotFound(e: unknown): boolean {
  const name = (e as Error)?.name;
  return (name === 'ValidationException' || name === 'ValidationError' || name === 'ResourceNotFound') && /could not find/i.test((e as Error).message);
}

async function describe(sm: SageMakerClient, name: string, signal: AbortSignal): Promise<DescribeEndpointCommandOutput | undefined> {
  try {
    return await sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw awsProblem(e, `look up endpoint ${name}`);
  }
}

function variant(profile: SageMakerProfile, modelName: string): ProductionVariant {
  if (profile.serverless) {
    return { VariantName: VARIANT, ModelName: modelName, ServerlessConfig: { MemorySizeInMB: profile.serverless.memorySizeInMB, MaxConcurrency: profile.serverless.maxConcurrency } };
  }
  return { VariantName: VARIANT, ModelName: modelName, InstanceType: (profile.instanceType ?? DEFAULT_INSTANCE_TYPE) as ProductionVariantInstanceType, InitialInstanceCount: profile.instanceCount ?? 1, InitialVariantWeight: 1 };
}

/** Deletes what a deploy created, quietly: it runs after another failure, which is the one to report. */
async function deleteQuietly(sm: SageMakerClient, configName: string | undefined, modelNames: string[]): Promise<void> {
  if (configName) await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: configName })).catch(() => undefined);
  for (const m of modelNames) await sm.send(new DeleteModelCommand({ ModelName: m })).catch(() => undefined);
}

async function configModels(sm: SageMakerClient, configName: string): Promise<string[]> {
  try {
    const config = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
    return (config.ProductionVariants ?? []).map((v) => v.ModelName).filter((m): m is string => !!m);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw awsProblem(e, `read endpoint configuration ${configName}`);
  }
}

/** Deletes a Failed endpoint, waits until SageMaker no longer knows the name, then its config and models. */
async function removeBroken(sm: SageMakerClient, endpoint: DescribeEndpointCommandOutput, timing: PollTiming, progress: (msg: string) => void, signal: AbortSignal): Promise<void> {
  const name = endpoint.EndpointName!;
  progress(`deleting the ${endpoint.EndpointStatus} endpoint ${name} to create it again`);
  try {
    await sm.send(new DeleteEndpointCommand({ EndpointName: name }), { abortSignal: signal });
  } catch (e) {
    if (!isNotFound(e)) throw awsProblem(e, `delete endpoint ${name}`);
  }
  // Deleting takes a while; CreateEndpoint under the same name fails until it is done.
  for (let wait = timing.firstMs; await describe(sm, name, signal); wait = Math.min(timing.maxMs, Math.round(wait * 1.5))) {
    try {
      await delay(wait, signal);
    } catch {
      throw new AwsProblem(`stopped waiting: SageMaker goes on deleting endpoint ${name}`, `deploy again once flowbench endpoints no longer lists it as ${endpoint.EndpointStatus}`, 'Cancelled');
    }
  }
  if (endpoint.EndpointConfigName) await deleteQuietly(sm, endpoint.EndpointConfigName, await configModels(sm, endpoint.EndpointConfigName));
}

export async function deploySageMaker(opts: SageMakerDeployOptions, progress: (msg: string) => void, signal: AbortSignal): Promise<DeploymentRecord> {
  const nameProblem = deploymentNameProblem(opts.name);
  if (nameProblem) throw new AwsProblem(nameProblem);
  const profile = requireProfile(sageMakerProfile(opts.projectDir, opts.overrides), ['roleArn', 'bucket']);
  const sm = sageMakerClient(profile);
  try {
    const region = await resolveRegion(sm, profile);
    const image = profile.image ?? tritonImage(region);
    if (!image) throw new AwsProblem(`SageMaker publishes no Triton image in ${region}`, 'pass --image with a serving image in that region, or deploy to another region');
    const plan = await planPackage(join(opts.projectDir, opts.model), opts.name, opts.modelSha256, profile.image ? 'plain' : 'triton');
    if (plan.config?.skippedOutputs.length) progress(`outputs ${plan.config.skippedOutputs.join(', ')} are not tensors: Triton will not return them`);

    let existing = await describe(sm, opts.name, signal);
    const state = existing?.EndpointStatus;
    const broken = state === 'Failed' || state === 'OutOfService';
    if (broken && opts.recreate) {
      await removeBroken(sm, existing!, opts.poll ?? DEFAULT_POLL, progress, signal);
      existing = undefined;
    } else if (state && state !== 'InService') {
      const remedy = broken ? `remove it with flowbench undeploy ${opts.name}, then deploy again, or deploy with --recreate to delete and create it in one go` : 'wait until it is InService (flowbench endpoints shows it), then deploy again';
      throw new AwsProblem(`endpoint ${opts.name} is ${state}${existing!.FailureReason ? ` (${existing!.FailureReason})` : ''}, so it cannot take a new model now`, remedy, 'EndpointNotUpdatable');
    }

    const dataUrl = await uploadPackage(profile, join(opts.projectDir, opts.model), plan, progress, signal);
    const modelName = resourceName(opts.name, plan.digest);
    const configName = modelName;
    const tags = [{ Key: TAG, Value: opts.name }, { Key: 'flowbench:run', Value: opts.runId }];
    progress(`creating model ${modelName} (${image})`);
    try {
      await sm.send(new CreateModelCommand({
        ModelName: modelName,
        ExecutionRoleArn: profile.roleArn,
        PrimaryContainer: { Image: image, ModelDataUrl: dataUrl, ...(plan.layout === 'triton' && { Environment: { SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: plan.modelName } }) },
        Tags: tags,
      }), { abortSignal: signal });
    } catch (e) {
      throw awsProblem(e, `create model ${modelName}`);
    }
    try {
      await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: configName, ProductionVariants: [variant(profile, modelName)], Tags: tags }), { abortSignal: signal });
    } catch (e) {
      await deleteQuietly(sm, undefined, [modelName]);
      throw awsProblem(e, `create endpoint configuration ${configName}`);
    }
    const sizing = profile.serverless ? `serverless ${profile.serverless.memorySizeInMB} MB, up to ${profile.serverless.maxConcurrency} concurrent` : `${profile.instanceCount ?? 1} × ${profile.instanceType ?? DEFAULT_INSTANCE_TYPE}`;
    progress(`${existing ? 'updating' : 'creating'} endpoint ${opts.name} (${sizing})`);
    let arn: string | undefined;
    try {
      const out = existing
        ? await sm.send(new UpdateEndpointCommand({ EndpointName: opts.name, EndpointConfigName: configName }), { abortSignal: signal })
        : await sm.send(new CreateEndpointCommand({ EndpointName: opts.name, EndpointConfigName: configName, Tags: tags }), { abortSignal: signal });
      arn = out.EndpointArn;
    } catch (e) {
      await deleteQuietly(sm, configName, [modelName]);
      throw awsProblem(e, `${existing ? 'update' : 'create'} endpoint ${opts.name}`);
    }

    const now = new Date().toISOString();
    const previous = readDeployment(opts.stateDir, opts.name);
    let record: DeploymentRecord = {
      name: opts.name,
      target: 'sagemaker',
      status: existing ? 'updating' : 'starting',
      url: invocationUrl(region, opts.name),
      flow: opts.flow,
      model: opts.model,
      modelSha256: opts.modelSha256,
      runId: opts.runId,
      createdAt: existing && previous?.target === 'sagemaker' ? previous.createdAt : now,
      updatedAt: now,
      region,
      endpointName: opts.name,
      ...(arn && { endpointArn: arn }),
      endpointConfigName: configName,
      modelName,
      ...(profile.awsProfile && { awsProfile: profile.awsProfile }),
      ...(profile.image && { image: profile.image }),
      ...(profile.serverless && { serverless: { memorySizeInMB: profile.serverless.memorySizeInMB, maxConcurrency: profile.serverless.maxConcurrency } }),
    };
    writeDeployment(opts.stateDir, record);

    let settled: DescribeEndpointCommandOutput;
    try {
      settled = await waitForEndpoint(sm, opts.name, opts.poll ?? DEFAULT_POLL, progress, signal);
    } catch (e) {
      if (!(e instanceof WaitCancelled)) throw e;
      throw new AwsProblem(
        existing
          ? `stopped waiting: SageMaker goes on updating endpoint ${opts.name}, which serves the previous model until the update is done`
          : `stopped waiting: SageMaker goes on creating endpoint ${opts.name} (it cannot be deleted while ${e.lastStatus || 'Creating'}), and bills it once InService`,
        `flowbench endpoints shows its state; flowbench undeploy ${opts.name} removes it once it is InService or Failed`,
        'Cancelled',
      );
    }

    const when = new Date().toISOString();
    if (settled.EndpointStatus !== 'InService') {
      record = { ...record, status: 'failed', updatedAt: when, ...(settled.FailureReason && { failureReason: settled.FailureReason }) };
      writeDeployment(opts.stateDir, record);
      throw failureProblem(`endpoint ${opts.name}`, settled.FailureReason);
    }
    if (settled.EndpointConfigName !== configName) {
      // A failed update rolls back: the old configuration still serves, ours is left over.
      await deleteQuietly(sm, configName, [modelName]);
      const kept = { ...(previous ?? record), status: 'running' as const, updatedAt: when, endpointConfigName: settled.EndpointConfigName, ...(settled.FailureReason && { failureReason: settled.FailureReason }) };
      writeDeployment(opts.stateDir, kept);
      throw failureProblem(`updating endpoint ${opts.name} (rolled back to the previous model)`, settled.FailureReason);
    }
    if (existing?.EndpointConfigName && existing.EndpointConfigName !== configName) {
      const old = existing.EndpointConfigName;
      const models = (await configModels(sm, old)).filter((m) => m !== modelName);
      progress(`removing the previous configuration ${old}`);
      await deleteQuietly(sm, old, models);
    }
    record = { ...record, status: 'running', updatedAt: when };
    delete record.failureReason;
    writeDeployment(opts.stateDir, record);
    progress(`endpoint ${opts.name} is InService: ${record.url}`);
    return record;
  } finally {
    sm.destroy();
  }
}

export interface UndeployOptions {
  projectDir: string;
  stateDir: string;
}

/** Deletes the endpoint, its configuration and its models (each only if still there); the record says stopped. */
export async function undeploySageMaker(record: DeploymentRecord, opts: UndeployOptions, progress: (msg: string) => void = () => undefined): Promise<DeploymentRecord> {
  const name = record.endpointName ?? record.name;
  const sm = sageMakerClient(record.region ? { region: record.region, awsProfile: record.awsProfile } : sageMakerProfile(opts.projectDir));
  const signal = new AbortController().signal;
  try {
    const live = await describe(sm, name, signal);
    const configName = live?.EndpointConfigName ?? record.endpointConfigName;
    if (live) {
      progress(`deleting endpoint ${name}`);
      try {
        await sm.send(new DeleteEndpointCommand({ EndpointName: name }));
      } catch (e) {
        if (!isNotFound(e)) {
          const problem = awsProblem(e, `delete endpoint ${name}`);
          if (live.EndpointStatus === 'Creating' || live.EndpointStatus === 'Updating') throw new AwsProblem(problem.message, `it is ${live.EndpointStatus}: try again once it is InService or Failed`, problem.code);
          throw problem;
        }
      }
    }
    const models = new Set(configName ? await configModels(sm, configName) : []);
    if (record.modelName) models.add(record.modelName);
    const remove = async (what: string, send: () => Promise<unknown>) => {
      progress(`deleting ${what}`);
      try {
        await send();
      } catch (e) {
        if (!isNotFound(e)) throw awsProblem(e, `delete ${what}`);
      }
    };
    if (configName) await remove(`endpoint configuration ${configName}`, () => sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: configName })));
    for (const m of models) await remove(`model ${m}`, () => sm.send(new DeleteModelCommand({ ModelName: m })));
    const stopped: DeploymentRecord = { ...record, status: 'stopped', updatedAt: new Date().toISOString() };
    writeDeployment(opts.stateDir, stopped);
    return stopped;
  } finally {
    sm.destroy();
  }
}

const STATUS: Record<string, DeploymentRecord['status']> = {
  Creating: 'starting',
  Updating: 'updating',
  SystemUpdating: 'updating',
  RollingBack: 'updating',
  InService: 'running',
  Failed: 'failed',
  OutOfService: 'failed',
  UpdateRollbackFailed: 'failed',
  Deleting: 'stopped',
};

/**
 * The record as SageMaker sees the endpoint now (a cancelled deploy's `starting` may since be InService; a
 * deleted endpoint reads `stopped`), written back when it changed. Throws an AwsProblem if AWS cannot say.
 */
export async function refreshSageMaker(record: DeploymentRecord, stateDir: string): Promise<DeploymentRecord> {
  if (record.target !== 'sagemaker' || record.status === 'stopped') return record;
  const sm = sageMakerClient({ region: record.region, awsProfile: record.awsProfile });
  try {
    const live = await describe(sm, record.endpointName ?? record.name, new AbortController().signal);
    const status = live ? STATUS[live.EndpointStatus ?? ''] ?? record.status : 'stopped';
    const failureReason = status === 'failed' ? live?.FailureReason : undefined;
    if (status === record.status && failureReason === record.failureReason) return record;
    const next: DeploymentRecord = { ...record, status, updatedAt: new Date().toISOString() };
    if (failureReason) next.failureReason = failureReason;
    else delete next.failureReason;
    writeDeployment(stateDir, next);
    return next;
  } finally {
    sm.destroy();
  }
}
