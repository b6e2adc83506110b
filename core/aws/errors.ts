// AWS failures in plain words with what to do about them. The SDK's errors carry the service's own code
// (`name`) and message; users need to know which of a few things went wrong: no credentials, not allowed, a
// quota, a role SageMaker cannot assume, an image it cannot pull, or an endpoint that failed for a reason.
import { isBranded } from '../brand';
import { Failure } from '../failure';

// The AWS code runs from dist/aws-services.js, with its own copy of this class: `instanceof` answers by a brand.
const BRAND = Symbol.for('flowbench.AwsProblem');

/** An AWS problem as the user should read it, from whichever bundle threw it. */
export class AwsProblem extends Failure {
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, AwsProblem, BRAND, value);
  }

  constructor(
    message: string,
    remedy?: string,
    /** The service's error code, when there was one. */
    readonly code?: string,
  ) {
    super(message, remedy);
  }
}

const ACCESS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'Forbidden']);
const BAD_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidSignatureException']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded']);

function roleWords(text: string): boolean {
  return /assume|execution ?role|role ?arn|iam role|\brole\b.*(not|does)/i.test(text);
}

function imageWords(text: string): boolean {
  return /image|ecr|pull|container.*(start|failed)/i.test(text);
}

/** Why an endpoint, model or job went to `Failed`, as SageMaker said it, with the likely remedy. */
export function failureProblem(what: string, reason: string | undefined): AwsProblem {
  const said = reason?.trim() || 'SageMaker gave no reason';
  if (roleWords(said)) return new AwsProblem(`${what} failed: ${said}`, 'check that the execution role exists, trusts sagemaker.amazonaws.com and may read the model in S3 (and pull from ECR)');
  if (imageWords(said)) return new AwsProblem(`${what} failed: ${said}`, 'the serving image could not be pulled or started: check the image URI, its region, and that the execution role may pull it from ECR');
  if (/quota|limit/i.test(said)) return new AwsProblem(`${what} failed: ${said}`, 'a service quota was reached: delete unused endpoints or request an increase in Service Quotas');
  if (/health check|ping/i.test(said)) return new AwsProblem(`${what} failed: ${said}`, 'the container started but never answered /ping: check the model package (config.pbtxt, model.onnx) and the endpoint logs in CloudWatch');
  return new AwsProblem(`${what} failed: ${said}`, 'see the endpoint logs in CloudWatch (/aws/sagemaker/Endpoints/<name>)');
}

/**
 * `error` (anything an SDK call threw) while doing `action` ("create the endpoint", …), in plain words.
 * Never includes credentials: the SDK's messages don't carry them, and nothing else is added.
 */
export function awsProblem(error: unknown, action: string): AwsProblem {
  if (error instanceof AwsProblem) return error;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e?.name && e.name !== 'Error' ? e.name : e?.code;
  const message = (e?.message ?? String(error)).trim();
  const status = e?.$metadata?.httpStatusCode;
  const cannot = `cannot ${action}`;

  if (code === 'AbortError' || e?.name === 'AbortError') return new AwsProblem(`${action}: cancelled`, undefined, 'AbortError');
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new AwsProblem(`${cannot}: no AWS credentials found`, 'sign in with the AWS CLI (aws configure or aws sso login), set AWS_PROFILE, or name a profile with "profile" in .flowbench/sagemaker.json', code);
  }
  if (/region is missing/i.test(message)) {
    return new AwsProblem(`${cannot}: no AWS region`, 'pass --region, set "region" in .flowbench/sagemaker.json, or set AWS_REGION', code);
  }
  if (code && BAD_CREDENTIALS.has(code)) return new AwsProblem(`${cannot}: the AWS credentials were rejected (${message})`, 'refresh them (aws sso login, or new keys) and try again', code);
  if ((code && ACCESS.has(code)) || status === 403) {
    return new AwsProblem(`${cannot}: access denied (${message})`, 'the credentials in use lack the IAM permission named above: add it to your user or role, or use another profile', code);
  }
  if (code === 'ResourceLimitExceeded' || code === 'ServiceQuotaExceededException') {
    return new AwsProblem(`${cannot}: an AWS quota was reached (${message})`, 'delete unused endpoints or request an increase in Service Quotas for this instance type or serverless concurrency', code);
  }
  if (code && THROTTLED.has(code)) return new AwsProblem(`${cannot}: AWS is throttling requests (${message})`, 'wait a minute and try again', code);
  if (code === 'NoSuchBucket') return new AwsProblem(`${cannot}: the S3 bucket does not exist (${message})`, 'create it, or pass --bucket with one that exists in this region', code);
  if ((code === 'ValidationException' || code === 'ValidationError') && roleWords(message)) {
    return new AwsProblem(`${cannot}: SageMaker cannot use the execution role (${message})`, 'check the role ARN, and that its trust policy allows sagemaker.amazonaws.com', code);
  }
  if ((code === 'ValidationException' || code === 'ValidationError') && imageWords(message)) {
    return new AwsProblem(`${cannot}: the serving image is not usable (${message})`, 'check the image URI and that it is in the same region as the endpoint', code);
  }
  const net = (e as { code?: string })?.code;
  if (net === 'ECONNREFUSED' || net === 'ENOTFOUND' || net === 'ETIMEDOUT' || net === 'ECONNRESET') {
    return new AwsProblem(`${cannot}: the AWS endpoint is unreachable (${message})`, 'check the network, and AWS_ENDPOINT_URL if one is set', net);
  }
  return new AwsProblem(`${cannot}: ${code ? `${code}: ` : ''}${message}`, undefined, code);
}
