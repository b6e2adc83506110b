// The configuration every AWS client Flowbench creates starts from. Deliberately thin: credentials come only
// from the SDK's own default chain (environment, SSO, ~/.aws, container/instance roles) or the profile's named
// AWS profile, never from Flowbench settings; endpoints are the SDK's too, which honours AWS_ENDPOINT_URL and
// the per-service AWS_ENDPOINT_URL_<SERVICE_ID> variables (e.g. AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME) and
// `endpoint_url` in ~/.aws/config, so an AWS-compatible local endpoint works without a Flowbench option.
import type { SageMakerProfile } from './profile';

export interface AwsClientConfig {
  region?: string;
  /** A named profile: the SDK reads its credentials and region itself. */
  profile?: string;
}

let warningFiltered = false;

/**
 * The SDK warns on every Node below 22 that future releases will need it; on the Node we ship with that is
 * noise in the CLI's output. Only that warning is dropped: everything else still reaches process.emitWarning.
 */
export function filterNodeVersionWarning(): void {
  if (warningFiltered) return;
  warningFiltered = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && text.startsWith('NodeVersionSupportWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

export function awsClientConfig(profile: Pick<SageMakerProfile, 'region' | 'awsProfile'>): AwsClientConfig {
  filterNodeVersionWarning();
  return { ...(profile.region && { region: profile.region }), ...(profile.awsProfile && { profile: profile.awsProfile }) };
}

/** The endpoint URL a user configured for a service by environment, as the SDK resolves it. */
export function endpointOverride(serviceId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const suffix = serviceId.toUpperCase().split(' ').join('_');
  return env[`AWS_ENDPOINT_URL_${suffix}`] || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * S3 clients address buckets by path when the endpoint is overridden: AWS-compatible servers (MinIO,
 * LocalStack, a test fake) rarely resolve `<bucket>.<host>` names.
 */
export function s3ClientConfig(profile: Pick<SageMakerProfile, 'region' | 'awsProfile'>): AwsClientConfig & { forcePathStyle?: boolean } {
  return { ...awsClientConfig(profile), ...(endpointOverride('S3') && { forcePathStyle: true }) };
}
