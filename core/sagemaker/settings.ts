// Where a SageMaker step's job goes, from the SageMaker profile (core/aws/profile.ts: the flow's `compute:`
// block over .flowbench/sagemaker.json over FLOWBENCH_SAGEMAKER_ROLE): checked before a run starts, so a
// missing role or bucket is said once, with the remedy, before any step runs or any call is made.
import { sageMakerProfile, type SageMakerProfile } from '../aws/profile';
import type { Flow, SageMakerCompute } from '../flow/model';
import type { S3Uri } from './s3-objects';

export interface RemoteSettings {
  profile: SageMakerProfile & { roleArn: string; bucket: string };
  prefix: S3Uri;
}

export function remoteSettings(root: string, step: string, compute: SageMakerCompute): RemoteSettings | { problem: string } {
  let profile: SageMakerProfile;
  try {
    profile = sageMakerProfile(root, { compute });
  } catch (err) {
    return { problem: `step ${step}: ${(err as Error).message}` };
  }
  const { roleArn, bucket } = profile;
  if (!roleArn) return { problem: `step ${step} runs on SageMaker and needs an execution role: set \`role:\` under its \`compute:\`, "role" in .flowbench/sagemaker.json, or FLOWBENCH_SAGEMAKER_ROLE` };
  if (!bucket) return { problem: `step ${step} runs on SageMaker and needs an S3 location for its inputs and outputs: set \`s3_prefix: s3://bucket/prefix\` under its \`compute:\`, or "bucket" in .flowbench/sagemaker.json` };
  return { profile: { ...profile, roleArn, bucket }, prefix: { bucket, key: profile.prefix.replace(/^\/+|\/+$/g, '') } };
}

/** One line per selected SageMaker step that could not start; empty when all can. */
export function remoteProblems(flow: Flow, steps: Iterable<string>): string[] {
  const problems: string[] = [];
  for (const name of steps) {
    const c = flow.steps.get(name)?.compute;
    if (c?.target !== 'sagemaker') continue;
    const s = remoteSettings(flow.root, name, c);
    if ('problem' in s) problems.push(s.problem);
  }
  return problems;
}
