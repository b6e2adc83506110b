// What Flowbench adds to a SageMaker step beyond the service's own time, against the fake AWS server (no
// real AWS account): the step's wall time minus the job's own life (CreateTrainingJob → Completed, as the
// fake saw it) is packaging (hashing), upload, polling, log reads, the output download and caching.
//  - first run: a 100 MB input uploaded once; baseline in the same run: the bare SDK uploading the same
//    bytes to the same server (lib-storage Upload) plus hashing them once (the least any tool must do);
//  - a forced re-run with unchanged inputs: 0 bytes uploaded (HeadObject answers for every object);
//  - an unforced re-run: cached, no call at all.
import { createHash, randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { filterNodeVersionWarning } from '../../core/aws/clients';
import { Upload } from '@aws-sdk/lib-storage';
import type { RunEvent } from '../../core/engine/events';
import { runFlow } from '../../core/engine/runner';
import { BUCKET, startFakeRemote } from '../helpers/fake-aws/remote';
import { fakeClientConfig } from '../helpers/fake-aws/server';
import { atMost, runBench, size, verdict } from './harness';

const INPUT_BYTES = size(100 << 20, 2 << 20);
const POLL_MS = 50;

const FLOW = `flow: remote-bench
steps:
  train:
    run: node train.mjs
    deps: [train.mjs, data/input.bin]
    outs: [model.txt]
    compute: { target: sagemaker, instance_type: ml.m5.xlarge, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1, role: 'arn:aws:iam::123456789012:role/Fb', s3_prefix: 's3://${BUCKET}/bench' }
`;

async function main(): Promise<void> {
  filterNodeVersionWarning();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-remote-bench-'));
  const fake = await startFakeRemote(POLL_MS);
  fake.useInProcess();
  try {
    fs.mkdirSync(path.join(dir, 'data'));
    const input = Buffer.allocUnsafe(INPUT_BYTES);
    randomFillSync(input);
    fs.writeFileSync(path.join(dir, 'data/input.bin'), input);
    fs.writeFileSync(path.join(dir, 'train.mjs'), "import { statSync, writeFileSync } from 'node:fs';\nwriteFileSync('model.txt', String(statSync('data/input.bin').size));\n");
    fs.writeFileSync(path.join(dir, 'remote.flow.yaml'), FLOW);

    // Baseline: hash the bytes once and send them with the bare SDK to the same server.
    const t0 = performance.now();
    createHash('sha256').update(input).digest('hex');
    const hashMs = performance.now() - t0;
    const s3 = new S3Client({ ...fakeClientConfig(fake.aws), forcePathStyle: true });
    // A warm client: the SDK's first request pays for loading and configuring itself, the runner's too, but
    // the baseline is the transfer alone.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'baseline/warm', Body: 'x' }));
    const t1 = performance.now();
    await new Upload({ client: s3, params: { Bucket: BUCKET, Key: 'baseline/input.bin', Body: fs.createReadStream(path.join(dir, 'data/input.bin')) } }).done();
    const bareUploadMs = performance.now() - t1;
    s3.destroy();
    fake.aws.calls.length = 0;

    const measure = async (force: boolean) => {
      const jobsBefore = fake.jobs.jobs.size;
      const callsBefore = fake.aws.calls.length;
      let stepMs = 0;
      let uploaded = 0;
      let outcome = '';
      const onEvent = (e: RunEvent) => {
        if (e.type === 'step-end') ((stepMs = e.durationMs), (outcome = e.outcome));
        if (e.type === 'step-remote' && e.job.uploadedBytes !== undefined) uploaded = e.job.uploadedBytes;
      };
      const result = await runFlow({ flowFile: path.join(dir, 'remote.flow.yaml'), force, onEvent });
      if (result.status !== 'succeeded') throw new Error(`run ${result.status}: ${[...result.steps.values()].map((s) => s.message).join('; ')}`);
      const job = [...fake.jobs.jobs.values()][jobsBefore];
      const jobMs = job ? job.ended! - job.created : 0;
      return { stepMs, jobMs, overheadMs: stepMs - jobMs, uploaded, outcome, calls: fake.aws.calls.length - callsBefore };
    };

    const first = await measure(false);
    const rerun = await measure(true);
    const cached = await measure(false);
    const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
    const baseline = hashMs + bareUploadMs;
    console.log(`input ${mb(INPUT_BYTES)}; fake polled every ${POLL_MS} ms at first (backing off while nothing changes)`);
    console.log(`baseline: sha256 once ${hashMs.toFixed(0)} ms + bare SDK upload ${bareUploadMs.toFixed(0)} ms = ${baseline.toFixed(0)} ms`);
    console.log(`first run: step ${first.stepMs} ms, job's own life ${first.jobMs} ms, Flowbench overhead ${first.overheadMs} ms (${(first.overheadMs / baseline).toFixed(2)}× the baseline), uploaded ${mb(first.uploaded)}`);
    console.log(`forced re-run, unchanged inputs: step ${rerun.stepMs} ms, job ${rerun.jobMs} ms, overhead ${rerun.overheadMs} ms, uploaded ${rerun.uploaded} bytes — ${verdict(rerun.uploaded === 0)} (0 bytes)`);
    console.log(`unforced re-run: ${cached.outcome} in ${cached.stepMs} ms with ${cached.calls} AWS calls — ${verdict(cached.outcome === 'cached' && cached.calls === 0)} (cached, no call)`);
    // Overhead beyond moving the bytes once: hashing is shared with the fingerprint, so 2× the bare cost
    // plus a few poll intervals (status, logs and the download are each one round of polling) is the bar.
    console.log(`first-run overhead vs 2 × baseline + ${10 * POLL_MS} ms: ${atMost(first.overheadMs, 2 * baseline + 10 * POLL_MS)}`);
    console.log(`re-run overhead (no upload) vs ${10 * POLL_MS} ms + 10% of the baseline: ${atMost(rerun.overheadMs, 10 * POLL_MS + 0.1 * baseline)}`);
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
