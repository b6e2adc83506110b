// The SageMaker profile: where and how Flowbench talks to SageMaker (region, execution role, S3 location,
// instance or serverless sizing, a named AWS profile). Layers, lowest first: FLOWBENCH_SAGEMAKER_ROLE,
// `.flowbench/sagemaker.json`, a flow step's `compute:` block, CLI flags. Everything is checked here, before
// any AWS call, so a typo costs a message instead of a half-created endpoint. Credentials never pass through
// here: they come from the standard AWS chain (or the named profile), see clients.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SageMakerCompute } from '../flow/model';
import { AwsProblem } from './errors';

export interface ServerlessSettings {
  memorySizeInMB: number;
  maxConcurrency: number;
}

export interface SageMakerProfile {
  /** undefined = the AWS chain decides (AWS_REGION, the profile's region). */
  region?: string;
  roleArn?: string;
  bucket?: string;
  /** Key prefix inside the bucket, without leading or trailing slashes. */
  prefix: string;
  instanceType?: string;
  instanceCount?: number;
  /** Set = serverless endpoint; mutually exclusive with instanceType. */
  serverless?: ServerlessSettings;
  /** A named profile from ~/.aws/config / credentials. */
  awsProfile?: string;
  /** A user-given serving image; undefined = SageMaker's Triton image. */
  image?: string;
}

export interface ProfileOverrides {
  region?: string;
  role?: string;
  bucket?: string;
  prefix?: string;
  instanceType?: string;
  instanceCount?: number;
  serverlessMemory?: number;
  serverlessConcurrency?: number;
  profile?: string;
  image?: string;
  /** A flow step's `compute:` block, between the file and the flags. */
  compute?: SageMakerCompute;
}

export const PROFILE_FILE = join('.flowbench', 'sagemaker.json');
export const DEFAULT_PREFIX = 'flowbench';
export const SERVERLESS_DEFAULTS: ServerlessSettings = { memorySizeInMB: 2048, maxConcurrency: 5 };

/** Every problem found, one per line, each naming where the value came from; an AwsProblem, so callers print it alike. */
export class ProfileError extends AwsProblem {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `the SageMaker profile has ${problems.length} problems:\n  ${problems.join('\n  ')}`, undefined, 'ProfileError');
  }
}

type Field = 'region' | 'roleArn' | 'bucket' | 'prefix' | 'instanceType' | 'instanceCount' | 'memory' | 'concurrency' | 'awsProfile' | 'image';
interface Layer {
  label: (field: Field) => string;
  values: Partial<Record<Field, unknown>>;
}

const FILE_KEYS: Record<string, Field | 'serverless'> = {
  region: 'region',
  role: 'roleArn',
  bucket: 'bucket',
  prefix: 'prefix',
  instanceType: 'instanceType',
  instanceCount: 'instanceCount',
  serverless: 'serverless',
  profile: 'awsProfile',
  image: 'image',
};
const SECRET_KEY = /secret|password|token|access.?key|credential/i;

const FLAG: Record<Field, string> = {
  region: '--region',
  roleArn: '--role',
  bucket: '--bucket',
  prefix: '--prefix',
  instanceType: '--instance-type',
  instanceCount: '--instance-count',
  memory: '--serverless-memory',
  concurrency: '--serverless-concurrency',
  awsProfile: '--profile',
  image: '--image',
};
const FILE_PATH: Record<Field, string> = {
  region: 'region',
  roleArn: 'role',
  bucket: 'bucket',
  prefix: 'prefix',
  instanceType: 'instanceType',
  instanceCount: 'instanceCount',
  memory: 'serverless.memoryMB',
  concurrency: 'serverless.maxConcurrency',
  awsProfile: 'profile',
  image: 'image',
};
const COMPUTE_KEY: Partial<Record<Field, string>> = { region: 'region', roleArn: 'role', bucket: 's3_prefix', prefix: 's3_prefix', instanceType: 'instance_type', instanceCount: 'instance_count', image: 'image' };

function fileLayer(projectDir: string, problems: string[]): Layer | undefined {
  const file = join(projectDir, PROFILE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    problems.push(`${PROFILE_FILE}: cannot read it (${(e as Error).message})`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    problems.push(`${PROFILE_FILE}: not valid JSON (${(e as Error).message})`);
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    problems.push(`${PROFILE_FILE}: expected a JSON object such as {"region": "eu-west-1", "role": "arn:aws:iam::123456789012:role/…"}`);
    return undefined;
  }
  const values: Layer['values'] = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = FILE_KEYS[key];
    if (SECRET_KEY.test(key)) {
      problems.push(`${PROFILE_FILE}: "${key}" — credentials never go in this file; use the AWS credential chain (aws configure, AWS_PROFILE, SSO) or name a profile with "profile"`);
    } else if (!field) {
      problems.push(`${PROFILE_FILE}: unknown key "${key}" (known: ${Object.keys(FILE_KEYS).join(', ')})`);
    } else if (field === 'serverless') {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${PROFILE_FILE}: "serverless" must be an object such as {"memoryMB": 2048, "maxConcurrency": 5}`);
        continue;
      }
      for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
        if (sub === 'memoryMB') values.memory = v;
        else if (sub === 'maxConcurrency') values.concurrency = v;
        else problems.push(`${PROFILE_FILE}: unknown key "serverless.${sub}" (known: memoryMB, maxConcurrency)`);
      }
    } else {
      values[field] = value;
    }
  }
  return { label: (f) => `${PROFILE_FILE} "${FILE_PATH[f]}"`, values };
}

/** `s3://bucket/some/prefix` → bucket and prefix; a bare name is a bucket. */
export function parseS3Location(value: string): { bucket: string; prefix?: string } {
  const m = /^s3:\/\/([^/]*)\/?(.*)$/.exec(value);
  if (!m) return { bucket: value };
  const prefix = m[2]!.replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, ...(prefix && { prefix }) };
}

function computeLayer(compute: SageMakerCompute): Layer {
  const values: Layer['values'] = {};
  if (compute.region) values.region = compute.region.value;
  if (compute.role) values.roleArn = compute.role.value;
  if (compute.instanceType) values.instanceType = compute.instanceType.value;
  if (compute.instanceCount) values.instanceCount = compute.instanceCount.value;
  if (compute.image) values.image = compute.image.value;
  if (compute.s3Prefix) {
    const { bucket, prefix } = parseS3Location(compute.s3Prefix.value);
    values.bucket = bucket;
    if (prefix) values.prefix = prefix;
  }
  return { label: (f) => `compute: ${COMPUTE_KEY[f] ?? f}`, values };
}

function flagLayer(o: ProfileOverrides): Layer {
  const values: Layer['values'] = {};
  if (o.bucket !== undefined) {
    const { bucket, prefix } = parseS3Location(o.bucket);
    values.bucket = bucket;
    if (prefix) values.prefix = prefix;
  }
  const pairs: [Field, unknown][] = [
    ['region', o.region],
    ['roleArn', o.role],
    ['prefix', o.prefix],
    ['instanceType', o.instanceType],
    ['instanceCount', o.instanceCount],
    ['memory', o.serverlessMemory],
    ['concurrency', o.serverlessConcurrency],
    ['awsProfile', o.profile],
    ['image', o.image],
  ];
  for (const [field, value] of pairs) if (value !== undefined) values[field] = value;
  return { label: (f) => FLAG[f], values };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// SageMaker's own pattern for RoleArn (CreateModel ExecutionRoleArn).
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const PROFILE_NAME = /^[\w.@+-]+$/;

export const SERVERLESS_MEMORY = { min: 1024, max: 6144, step: 1024 } as const;
export const SERVERLESS_CONCURRENCY = { min: 1, max: 200 } as const;

/** Why `memory` is not a serverless MemorySizeInMB, or undefined. Shared with the fake, which models the service. */
export function serverlessMemoryProblem(memory: unknown): string | undefined {
  const { min, max, step } = SERVERLESS_MEMORY;
  if (typeof memory === 'number' && Number.isInteger(memory) && memory >= min && memory <= max && memory % step === 0) return undefined;
  return `serverless memory must be ${min}–${max} MB in steps of ${step} (1024, 2048, 3072, 4096, 5120 or 6144), got ${JSON.stringify(memory)}`;
}

export function serverlessConcurrencyProblem(concurrency: unknown): string | undefined {
  const { min, max } = SERVERLESS_CONCURRENCY;
  if (typeof concurrency === 'number' && Number.isInteger(concurrency) && concurrency >= min && concurrency <= max) return undefined;
  return `serverless max concurrency must be a whole number from ${min} to ${max}, got ${JSON.stringify(concurrency)}`;
}

function check(field: Field, value: unknown): string | undefined {
  const str = (re: RegExp, what: string) => (typeof value === 'string' && re.test(value) ? undefined : `${what}, got ${JSON.stringify(value)}`);
  switch (field) {
    case 'region':
      return str(REGION, 'expected an AWS region such as us-east-1 or eu-west-1');
    case 'roleArn':
      return str(ROLE_ARN, 'expected an IAM role ARN such as arn:aws:iam::123456789012:role/FlowbenchSageMaker');
    case 'bucket':
      return str(BUCKET, 'expected an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens) or s3://bucket/prefix');
    case 'prefix':
      return typeof value === 'string' && !/(^|\/)\.\.?(\/|$)/.test(value) ? undefined : `expected a key prefix such as flowbench/models, got ${JSON.stringify(value)}`;
    case 'instanceType':
      return str(INSTANCE_TYPE, 'expected a SageMaker instance type such as ml.m5.large or ml.g5.xlarge');
    case 'instanceCount':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? undefined : `expected a whole number ≥ 1, got ${JSON.stringify(value)}`;
    case 'memory':
      return serverlessMemoryProblem(value);
    case 'concurrency':
      return serverlessConcurrencyProblem(value);
    case 'awsProfile':
      return str(PROFILE_NAME, 'expected the name of a profile in ~/.aws/config');
    case 'image':
      return typeof value === 'string' && /^[^\s]+$/.test(value) ? undefined : `expected a container image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:1, got ${JSON.stringify(value)}`;
  }
}

/**
 * The profile for `projectDir` with `overrides` applied, fully validated. Throws a ProfileError listing every
 * problem. Instance and serverless sizing replace each other between layers (a `--instance-type` flag turns a
 * serverless profile into a real-time one); within one layer both is a mistake.
 */
export function sageMakerProfile(projectDir: string, overrides: ProfileOverrides = {}): SageMakerProfile {
  const problems: string[] = [];
  const layers: Layer[] = [];
  const envRole = process.env.FLOWBENCH_SAGEMAKER_ROLE;
  if (envRole) layers.push({ label: () => 'FLOWBENCH_SAGEMAKER_ROLE', values: { roleArn: envRole } });
  const file = fileLayer(projectDir, problems);
  if (file) layers.push(file);
  if (overrides.compute) layers.push(computeLayer(overrides.compute));
  layers.push(flagLayer(overrides));

  const chosen: Partial<Record<Field, { value: unknown; label: string }>> = {};
  for (const layer of layers) {
    const v = layer.values;
    const sizesServerless = v.memory !== undefined || v.concurrency !== undefined;
    if (v.instanceType !== undefined && sizesServerless) {
      problems.push(`${layer.label('instanceType')} and ${layer.label(v.memory !== undefined ? 'memory' : 'concurrency')} both given: an endpoint is either real-time on an instance type or serverless, not both`);
    }
    if (v.instanceType !== undefined) {
      delete chosen.memory;
      delete chosen.concurrency;
    }
    if (sizesServerless) {
      delete chosen.instanceType;
      delete chosen.instanceCount;
    }
    for (const [field, value] of Object.entries(v) as [Field, unknown][]) {
      if (value === undefined) continue;
      chosen[field] = { value, label: layer.label(field) };
    }
  }
  for (const [field, c] of Object.entries(chosen) as [Field, { value: unknown; label: string }][]) {
    const problem = check(field, c.value);
    if (problem) problems.push(`${c.label}: ${problem}`);
  }
  if (problems.length) throw new ProfileError(problems);

  const get = <T>(f: Field) => chosen[f]?.value as T | undefined;
  const serverless = chosen.memory || chosen.concurrency
    ? { memorySizeInMB: get<number>('memory') ?? SERVERLESS_DEFAULTS.memorySizeInMB, maxConcurrency: get<number>('concurrency') ?? SERVERLESS_DEFAULTS.maxConcurrency }
    : undefined;
  const profile: SageMakerProfile = { prefix: (get<string>('prefix') ?? DEFAULT_PREFIX).replace(/^\/+|\/+$/g, '') };
  const assign = <K extends keyof SageMakerProfile>(key: K, value: SageMakerProfile[K] | undefined) => {
    if (value !== undefined) profile[key] = value;
  };
  assign('region', get('region'));
  assign('roleArn', get('roleArn'));
  assign('bucket', get('bucket'));
  assign('instanceType', get('instanceType'));
  assign('instanceCount', get('instanceCount'));
  assign('serverless', serverless);
  assign('awsProfile', get('awsProfile'));
  assign('image', get('image'));
  return profile;
}

const REMEDY: Record<'roleArn' | 'bucket', string> = {
  roleArn: `no SageMaker execution role: pass --role arn:aws:iam::<account>:role/<name>, or set "role" in ${PROFILE_FILE}`,
  bucket: `no S3 bucket for the model: pass --bucket NAME (or s3://bucket/prefix), or set "bucket" in ${PROFILE_FILE}`,
};

/** The profile with the fields an operation cannot do without; throws a ProfileError saying how to set each. */
export function requireProfile<K extends 'roleArn' | 'bucket'>(profile: SageMakerProfile, fields: K[]): SageMakerProfile & Required<Pick<SageMakerProfile, K>> {
  const missing = fields.filter((f) => !profile[f]);
  if (missing.length) throw new ProfileError(missing.map((f) => REMEDY[f]));
  return profile as SageMakerProfile & Required<Pick<SageMakerProfile, K>>;
}
