// SageMaker's model/endpoint-config/endpoint API on the fake server, with the service's rules and state:
// names unique and well formed, a role ARN of the right shape, model data that exists in the fake's S3,
// configs naming models that exist, serverless limits, and an endpoint that goes Creating → InService or
// Failed (with FailureReason), Updating → InService (or back to InService on the old config with a
// FailureReason, as a failed update rolls back), and Deleting for `deletePolls` polls before it is gone
// (CreateEndpoint of the name fails until then). States advance on DescribeEndpoint polls, never on time,
// so a test decides how many polls a transition takes and no test sleeps.
// Modelled on the API reference and on what users report; not checked against the real service: the exact
// wording of messages, and refusing DeleteEndpoint while Creating/Updating (reported as stuck endpoints).
import { FakeAwsError, type FakeAws } from './server';

const ACCOUNT = '123456789012';
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const MEMORY = [1024, 2048, 3072, 4096, 5120, 6144];

export type EndpointStatus = 'Creating' | 'Updating' | 'InService' | 'Failed' | 'Deleting';

export interface EndpointScript {
  /** DescribeEndpoint calls that still see Creating/Updating (default 1). */
  polls?: number;
  /** `RolledBack`: an update that fails, leaving the old config serving. Default InService. */
  outcome?: 'InService' | 'Failed' | 'RolledBack';
  failureReason?: string;
}

interface Endpoint {
  name: string;
  arn: string;
  status: EndpointStatus;
  config: string;
  pendingConfig?: string;
  previousConfig?: string;
  failureReason?: string;
  pollsLeft: number;
  script: EndpointScript;
  created: number;
  modified: number;
}

export interface FakeSageMakerEndpoints {
  models: Map<string, Record<string, unknown>>;
  configs: Map<string, Record<string, unknown>>;
  endpoints: Map<string, Endpoint>;
  /** How the next CreateEndpoint/UpdateEndpoint of `name` goes. */
  script(name: string, script: EndpointScript): void;
  /** DescribeEndpoint calls that still see a deleted endpoint as Deleting (default 0: gone at once). */
  deletePolls: number;
}

const arn = (region: string, kind: string, name: string) => `arn:aws:sagemaker:${region}:${ACCOUNT}:${kind}/${name.toLowerCase()}`;
const invalid = (message: string) => new FakeAwsError('ValidationException', message);
const now = () => Date.now() / 1000;

function requireName(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw invalid(`1 validation error detected: Value '${String(value)}' at '${field[0]!.toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
  }
  return value;
}

function checkVariant(v: Record<string, unknown>, i: number, models: Map<string, unknown>, region: string): void {
  const at = `productionVariants.${i + 1}.member`;
  if (typeof v.VariantName !== 'string' || !NAME.test(v.VariantName)) throw invalid(`Value '${String(v.VariantName)}' at '${at}.variantName' failed to satisfy constraint`);
  if (typeof v.ModelName !== 'string' || !models.has(v.ModelName)) throw invalid(`Could not find model "${arn(region, 'model', String(v.ModelName))}".`);
  const serverless = v.ServerlessConfig as { MemorySizeInMB?: unknown; MaxConcurrency?: unknown } | undefined;
  if (serverless && v.InstanceType !== undefined) throw invalid(`Production variant ${v.VariantName} cannot have both ServerlessConfig and InstanceType.`);
  if (serverless) {
    if (!MEMORY.includes(serverless.MemorySizeInMB as number)) {
      throw invalid(`1 validation error detected: Value '${String(serverless.MemorySizeInMB)}' at '${at}.serverlessConfig.memorySizeInMB' failed to satisfy constraint: Member must satisfy enum value set: [${MEMORY.join(', ')}]`);
    }
    const c = serverless.MaxConcurrency;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 200) {
      throw invalid(`1 validation error detected: Value '${String(c)}' at '${at}.serverlessConfig.maxConcurrency' failed to satisfy constraint: Member must have value between 1 and 200`);
    }
    return;
  }
  if (typeof v.InstanceType !== 'string' || !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(v.InstanceType)) throw invalid(`Value '${String(v.InstanceType)}' at '${at}.instanceType' failed to satisfy constraint`);
  const n = v.InitialInstanceCount;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalid(`Value '${String(n)}' at '${at}.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`);
}

/** Registers the endpoint targets on `fake`. */
export function fakeSageMakerEndpoints(fake: FakeAws, region = 'us-east-1'): FakeSageMakerEndpoints {
  const models = new Map<string, Record<string, unknown>>();
  const configs = new Map<string, Record<string, unknown>>();
  const endpoints = new Map<string, Endpoint>();
  const scripts = new Map<string, EndpointScript>();
  const notFound = (name: string) => invalid(`Could not find endpoint "${arn(region, 'endpoint', name)}".`);
  const api: FakeSageMakerEndpoints = { models, configs, endpoints, script: (name, script) => void scripts.set(name, script), deletePolls: 0 };

  const takeScript = (name: string): EndpointScript => {
    const s = scripts.get(name) ?? {};
    scripts.delete(name);
    return s;
  };

  fake.on('SageMaker.CreateModel', (input) => {
    const name = requireName(input, 'ModelName');
    if (models.has(name)) throw invalid(`Cannot create already existing model "${arn(region, 'model', name)}".`);
    if (typeof input.ExecutionRoleArn !== 'string' || !ROLE.test(input.ExecutionRoleArn)) {
      throw invalid(`1 validation error detected: Value '${String(input.ExecutionRoleArn)}' at 'executionRoleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$`);
    }
    const container = input.PrimaryContainer as { Image?: string; ModelDataUrl?: string } | undefined;
    if (!container?.Image) throw invalid('PrimaryContainer.Image is required.');
    if (container.ModelDataUrl !== undefined) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(container.ModelDataUrl);
      if (!m || !fake.s3.get(m[1]!, m[2]!)) throw invalid(`Could not find model data at ${container.ModelDataUrl}.`);
    }
    models.set(name, input);
    return { ModelArn: arn(region, 'model', name) };
  });

  fake.on('SageMaker.CreateEndpointConfig', (input) => {
    const name = requireName(input, 'EndpointConfigName');
    if (configs.has(name)) throw invalid(`Cannot create already existing endpoint configuration "${arn(region, 'endpoint-config', name)}".`);
    const variants = input.ProductionVariants as Record<string, unknown>[] | undefined;
    if (!Array.isArray(variants) || variants.length < 1 || variants.length > 10) throw invalid('ProductionVariants must have between 1 and 10 members.');
    variants.forEach((v, i) => checkVariant(v, i, models, region));
    configs.set(name, { ...input, CreationTime: now() });
    return { EndpointConfigArn: arn(region, 'endpoint-config', name) };
  });

  fake.on('SageMaker.DescribeEndpointConfig', (input) => {
    const config = configs.get(String(input.EndpointConfigName));
    if (!config) throw invalid(`Could not find endpoint configuration "${arn(region, 'endpoint-config', String(input.EndpointConfigName))}".`);
    return { ...config, EndpointConfigArn: arn(region, 'endpoint-config', String(input.EndpointConfigName)) };
  });

  fake.on('SageMaker.CreateEndpoint', (input) => {
    const name = requireName(input, 'EndpointName');
    const config = String(input.EndpointConfigName);
    if (endpoints.has(name)) throw invalid(`Cannot create already existing endpoint "${arn(region, 'endpoint', name)}".`);
    if (!configs.has(config)) throw invalid(`Could not find endpoint configuration "${arn(region, 'endpoint-config', config)}".`);
    const script = takeScript(name);
    const t = now();
    endpoints.set(name, { name, arn: arn(region, 'endpoint', name), status: 'Creating', config, pollsLeft: script.polls ?? 1, script, created: t, modified: t });
    return { EndpointArn: arn(region, 'endpoint', name) };
  });

  fake.on('SageMaker.UpdateEndpoint', (input) => {
    const name = String(input.EndpointName);
    const config = String(input.EndpointConfigName);
    const e = endpoints.get(name);
    if (!e) throw notFound(name);
    if (e.status !== 'InService') throw invalid(`Cannot update in-progress endpoint "${e.arn}".`);
    if (!configs.has(config)) throw invalid(`Could not find endpoint configuration "${arn(region, 'endpoint-config', config)}".`);
    const script = takeScript(name);
    Object.assign(e, { status: 'Updating', pendingConfig: config, previousConfig: e.config, failureReason: undefined, pollsLeft: script.polls ?? 1, script, modified: now() });
    return { EndpointArn: e.arn };
  });

  fake.on('SageMaker.DescribeEndpoint', (input) => {
    const name = String(input.EndpointName);
    const e = endpoints.get(name);
    if (!e) throw notFound(name);
    if (e.status === 'Deleting' && e.pollsLeft-- <= 0) {
      endpoints.delete(name);
      throw notFound(name);
    }
    if ((e.status === 'Creating' || e.status === 'Updating') && e.pollsLeft-- <= 0) {
      const outcome = e.script.outcome ?? 'InService';
      if (e.status === 'Updating' && outcome !== 'InService') {
        Object.assign(e, { status: 'InService', pendingConfig: undefined, failureReason: e.script.failureReason ?? 'The update failed.' });
      } else if (outcome === 'InService') {
        Object.assign(e, { status: 'InService', config: e.pendingConfig ?? e.config, pendingConfig: undefined });
      } else {
        Object.assign(e, { status: 'Failed', failureReason: e.script.failureReason ?? 'The endpoint failed.' });
      }
      e.modified = now();
    }
    const variants = (configs.get(e.config)?.ProductionVariants as Record<string, unknown>[] | undefined) ?? [];
    return {
      EndpointName: e.name,
      EndpointArn: e.arn,
      EndpointConfigName: e.config,
      EndpointStatus: e.status,
      ...(e.failureReason && { FailureReason: e.failureReason }),
      CreationTime: e.created,
      LastModifiedTime: e.modified,
      ...(e.status === 'InService' && { ProductionVariants: variants.map((v) => ({ VariantName: v.VariantName, CurrentWeight: 1 })) }),
    };
  });

  fake.on('SageMaker.DeleteEndpoint', (input) => {
    const name = String(input.EndpointName);
    const e = endpoints.get(name);
    if (!e) throw notFound(name);
    if (e.status === 'Creating' || e.status === 'Updating' || e.status === 'Deleting') throw invalid(`Cannot delete endpoint "${e.arn}" while it is ${e.status}.`);
    if (api.deletePolls > 0) Object.assign(e, { status: 'Deleting', pollsLeft: api.deletePolls, modified: now() });
    else endpoints.delete(name);
    return {};
  });

  fake.on('SageMaker.DeleteEndpointConfig', (input) => {
    const name = String(input.EndpointConfigName);
    if (!configs.delete(name)) throw invalid(`Could not find endpoint configuration "${arn(region, 'endpoint-config', name)}".`);
    return {};
  });

  fake.on('SageMaker.DeleteModel', (input) => {
    const name = String(input.ModelName);
    if (!models.delete(name)) throw invalid(`Could not find model "${arn(region, 'model', name)}".`);
    return {};
  });

  return api;
}
