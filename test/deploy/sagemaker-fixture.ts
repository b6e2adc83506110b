// A project with a model and a SageMaker profile, and the fake AWS server it deploys to: every SDK client
// finds the fake through AWS_ENDPOINT_URL and signs with keys from the environment, as a user's chain would.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SageMakerDeployOptions } from '../../core/deploy/sagemaker-deploy';
import { fakeCloudWatch, type FakeCloudWatch } from '../helpers/fake-aws/cloudwatch';
import { fakeSageMakerEndpoints, type FakeSageMakerEndpoints } from '../helpers/fake-aws/sagemaker-endpoints';
import { startFakeAws, type FakeAws } from '../helpers/fake-aws/server';
import { tempProject, type TempProject } from '../helpers/project';
import { ensureBuilt, flowbench, project, startFlowbench, type CliResult } from '../cli/harness';
import { deployProjectFiles } from './deploy-project';
import { encode, linearClassifierModel } from '../model/models';

export const ROLE = 'arn:aws:iam::123456789012:role/FlowbenchSageMaker';
export const BUCKET = 'models-bucket';

export interface Fixture {
  fake: FakeAws;
  sm: FakeSageMakerEndpoints;
  cw: FakeCloudWatch;
  project: TempProject;
  stateDir: string;
  options(extra?: Partial<SageMakerDeployOptions>): SageMakerDeployOptions;
}

const ENV = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED', 'AWS_PROFILE', 'AWS_REGION'] as const;

export async function sageMakerFixture(t: { after(fn: () => unknown): void }, profile: Record<string, unknown> = {}): Promise<Fixture> {
  const fake = await startFakeAws();
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_REGION;
  Object.assign(process.env, { AWS_ENDPOINT_URL: fake.endpoint, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_EC2_METADATA_DISABLED: 'true' });
  const project = tempProject();
  t.after(async () => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    project.remove();
    await fake.close();
  });
  fake.s3.createBucket(BUCKET);
  const model = encode(linearClassifierModel());
  mkdirSync(project.path('models'));
  writeFileSync(project.path('models/model.onnx'), model);
  const stateDir = project.path('.flowbench');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'sagemaker.json'), JSON.stringify({ region: 'us-east-1', role: ROLE, bucket: BUCKET, ...profile }));
  const sha = createHash('sha256').update(model).digest('hex');
  return {
    fake,
    sm: fakeSageMakerEndpoints(fake),
    cw: fakeCloudWatch(fake, 5),
    project,
    stateDir,
    options: (extra = {}) => ({ projectDir: project.root, stateDir, name: 'delays', flow: 'flight.flow.yaml', model: 'models/model.onnx', modelSha256: sha, runId: 'r-1', poll: { firstMs: 1, maxMs: 2 }, ...extra }),
  };
}

/** An AbortSignal that never fires. */
export const never = () => new AbortController().signal;

/**
 * The deploy tests' project after a real run, and the fake with the bucket for CLI child processes: `cli` runs
 * the bundled CLI with the environment that points the SDK at the fake with keys of its own. No
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: the CLI itself keeps the SDK's warning out.
 */
export async function cliProject(t: { after(fn: () => unknown): void }): Promise<{ dir: string; fake: FakeAws; sm: FakeSageMakerEndpoints; env: NodeJS.ProcessEnv; cli(args: string[]): Promise<CliResult> }> {
  ensureBuilt();
  const dir = project(t, deployProjectFiles());
  const run = flowbench(dir, ['run']);
  if (run.code !== 0) throw new Error(`flowbench run failed:\n${run.stderr}`);
  const fake = await startFakeAws();
  t.after(() => fake.close());
  const sm = fakeSageMakerEndpoints(fake);
  fake.s3.createBucket(BUCKET);
  const env = { AWS_ENDPOINT_URL: fake.endpoint, AWS_ACCESS_KEY_ID: 'AKIDCLI', AWS_SECRET_ACCESS_KEY: 'cli-secret', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '', AWS_PROFILE: '' };
  return { dir, fake, sm, env, cli: (args) => startFlowbench(dir, args, env).done };
}
