// SageMaker's Triton Inference Server image for a region: AWS publishes it from a per-region registry
// (the table the SageMaker Python SDK ships in image_uri_config/sagemaker-tritonserver.json).
export const TRITON_VERSION = '24.09';

const DEFAULT_ACCOUNT = '763104351884';
const ACCOUNTS: Record<string, string> = {
  'af-south-1': '626614931356',
  'il-central-1': '780543022126',
  'ap-east-1': '871362719292',
  'ap-northeast-3': '364406365360',
  'ap-southeast-3': '907027046896',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-south-1': '692866216735',
  'me-south-1': '217643126080',
  'ca-west-1': '204538143572',
};
const WITH_DEFAULT = ['ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];

/** The image URI, or undefined where SageMaker publishes no Triton image. */
export function tritonImage(region: string): string | undefined {
  const account = ACCOUNTS[region] ?? (WITH_DEFAULT.includes(region) ? DEFAULT_ACCOUNT : undefined);
  if (!account) return undefined;
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}/sagemaker-tritonserver:${TRITON_VERSION}-py3`;
}
