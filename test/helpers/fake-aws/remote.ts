// The fake AWS server set up for remote steps: SageMaker jobs, CloudWatch Logs, a bucket, and the
// environment that points the real SDK (in this process or a CLI child) at it through AWS_ENDPOINT_URL.
import { addLogs, type FakeLogs } from './logs';
import { addSageMakerJobs, type FakeSageMakerJobs } from './sagemaker-jobs';
import { startFakeAws, type FakeAws } from './server';

export interface FakeRemote {
  aws: FakeAws;
  logs: FakeLogs;
  jobs: FakeSageMakerJobs;
  /** What a process needs to talk to the fake: endpoint, region, throwaway credentials, fast polling. */
  env: Record<string, string>;
  /** Sets `env` on this process until close. */
  useInProcess(): void;
  close(): Promise<void>;
}

export const BUCKET = 'fb-test';

export async function startFakeRemote(pollMs = 10): Promise<FakeRemote> {
  const aws = await startFakeAws();
  aws.s3.createBucket(BUCKET);
  const logs = addLogs(aws);
  const jobs = addSageMakerJobs(aws, logs);
  const env = {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    FLOWBENCH_SAGEMAKER_POLL_MS: String(pollMs),
  };
  const saved = new Map<string, string | undefined>();
  return {
    aws,
    logs,
    jobs,
    env,
    useInProcess: () => {
      for (const [k, v] of Object.entries(env)) {
        if (!saved.has(k)) saved.set(k, process.env[k]);
        process.env[k] = v;
      }
    },
    close: async () => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await Promise.all([...jobs.jobs.values()].map((j) => j.done));
      await aws.close();
    },
  };
}
