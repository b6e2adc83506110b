// The SageMaker flags a command takes (deploy --target sagemaker, and remote runs): their parseArgs
// options, and the profile overrides they become. Range checks are the profile's (core/aws/profile.ts),
// so a flag and the same value in .flowbench/sagemaker.json get the same message.
import type { ProfileOverrides } from '../aws/profile';
import { UsageError } from './errors';

export const SAGEMAKER_FLAGS = {
  region: { type: 'string' },
  role: { type: 'string' },
  bucket: { type: 'string' },
  'instance-type': { type: 'string' },
  'serverless-memory': { type: 'string' },
  'serverless-concurrency': { type: 'string' },
  profile: { type: 'string' },
  image: { type: 'string' },
} as const;

export const SAGEMAKER_USAGE = [
  '--region R                  AWS region (else .flowbench/sagemaker.json, else the AWS chain)',
  '--role ARN                  execution role SageMaker assumes',
  '--bucket NAME|s3://B/P      where the model package is uploaded',
  '--instance-type T           real-time endpoint on T (default ml.m5.large)',
  '--serverless-memory MB      serverless endpoint: 1024–6144 in steps of 1024',
  '--serverless-concurrency N  serverless endpoint: 1–200 concurrent requests',
  '--profile NAME              named AWS profile for credentials and region',
  '--image URI                 your own serving image instead of SageMaker\'s Triton',
];

type Values = Partial<Record<keyof typeof SAGEMAKER_FLAGS, string | boolean | undefined>>;

function whole(value: string | boolean | undefined, flag: string, command: string): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} expects a whole number, got '${value}'`, flag === '--serverless-memory' ? `e.g. ${flag} 2048` : `e.g. ${flag} 5`, command);
  return Number(value);
}

const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

/** The overrides the flags in `values` give; only flags that were given appear. */
export function sageMakerOverrides(values: Values, command: string): ProfileOverrides {
  const o: ProfileOverrides = {
    region: text(values.region),
    role: text(values.role),
    bucket: text(values.bucket),
    instanceType: text(values['instance-type']),
    serverlessMemory: whole(values['serverless-memory'], '--serverless-memory', command),
    serverlessConcurrency: whole(values['serverless-concurrency'], '--serverless-concurrency', command),
    profile: text(values.profile),
    image: text(values.image),
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ProfileOverrides;
}

/** True when any SageMaker flag was given (a local deploy refuses them rather than ignore them). */
export function hasSageMakerFlags(values: Values): boolean {
  return Object.keys(SAGEMAKER_FLAGS).some((k) => values[k as keyof Values] !== undefined);
}
