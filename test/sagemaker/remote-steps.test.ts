// `compute: sagemaker` steps run by the real runner through the real AWS SDK against the fake server
// (test/helpers/fake-aws/): the calls and their payloads, live logs, outs, caching, uploads, cancel,
// failures and spot. No real AWS account is involved anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RunEvent } from '../../core/engine/events';
import { runFlow } from '../../core/engine/runner';
import { openRunStore } from '../../core/runs/store';
import { listPending } from '../../core/sagemaker/pending';
import { startFakeRemote, BUCKET, type FakeRemote } from '../helpers/fake-aws/remote';
import { runEntrypoint } from '../helpers/fake-aws/sagemaker-jobs';
import { tempProject, type TempProject } from '../helpers/project';

const ROLE = 'arn:aws:iam::123456789012:role/FlowbenchSageMaker';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1';

function compute(extra = ''): string {
  return `{ target: sagemaker, instance_type: ml.m5.xlarge, image: ${IMAGE}, role: '${ROLE}', s3_prefix: 's3://${BUCKET}/flowbench'${extra ? `, ${extra}` : ''} }`;
}

const TRAIN = `import { readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { double } from '../lib/util.mjs';
const rows = readFileSync('data/clean.csv', 'utf8').trim().split('\\n').length;
const lr = Number(process.env.FLOWBENCH_PARAM_LR);
const features = statSync(process.env.FLOWBENCH_INPUT_FEATURES).size;
console.log('training on', rows, 'rows with lr', lr);
console.error('stderr works too');
mkdirSync('models', { recursive: true });
mkdirSync('reports/deep', { recursive: true });
writeFileSync('models/model.json', JSON.stringify({ rows, lr: double(lr), features: features > 0, step: process.env.FLOWBENCH_STEP }));
writeFileSync('reports/deep/summary.txt', 'ok\\n');
writeFileSync('metrics.json', JSON.stringify({ auc: 0.75 }));
process.exit(Number(process.env.EXIT_WITH ?? 0));
`;

function remoteProject(computeBlock = compute(), extraEnv = ''): TempProject {
  return tempProject({
    'remote.flow.yaml': `flow: remote
params:
  lr: 0.5
sources:
  raw:
    flights: { path: data/raw.csv }
steps:
  prep:
    run: node steps/prep.mjs
    deps: [steps/prep.mjs, data/raw.csv]
    outs: [data/clean.csv]
  features:
    sql: sql/features.sql
  train:
    run: cd .. && node steps/train.mjs --lr \${params.lr}
    cwd: steps
    deps: [steps/train.mjs, lib, data/clean.csv]
    inputs: [features]
    outs: [models/model.json, reports]
    metrics: [metrics.json]
    env: { MODE: remote${extraEnv} }
    compute: ${computeBlock}
`,
    'data/raw.csv': 'a,b\n1,2\n3,4\n5,6\n',
    'sql/features.sql': "select a, b, a * b as ab from {{ source('raw', 'flights') }}\n",
    'steps/prep.mjs': "import { readFileSync, writeFileSync } from 'node:fs';\nwriteFileSync('data/clean.csv', readFileSync('data/raw.csv', 'utf8'));\n",
    'steps/train.mjs': TRAIN,
    'lib/util.mjs': 'export const double = (x) => x * 2;\n',
  });
}

async function run(p: TempProject, opts: { signal?: AbortSignal; onEvent?: (e: RunEvent) => void; targets?: string[] } = {}) {
  const events: RunEvent[] = [];
  const result = await runFlow({ flowFile: p.path('remote.flow.yaml'), jobs: 1, ...opts, onEvent: (e) => (events.push(e), opts.onEvent?.(e)) });
  const ends = Object.fromEntries(events.flatMap((e) => (e.type === 'step-end' ? [[e.step, e]] : []))) as Record<string, Extract<RunEvent, { type: 'step-end' }>>;
  return { result, events, ends, logs: events.flatMap((e) => (e.type === 'step-log' && e.step === 'train' ? [e.text] : [])) };
}

async function withRemote(fn: (fake: FakeRemote) => Promise<void>): Promise<void> {
  const fake = await startFakeRemote();
  fake.useInProcess();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((ok) => (open = ok));
  return { open, opened };
}

test('a SageMaker step runs as a training job: calls, payloads, live logs, outs and the run record', async (t) => {
  const p = remoteProject();
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    const started = gate();
    let statusWhenLogged: string | undefined;
    fake.jobs.script = async (io) => {
      io.log('warming up');
      await Promise.race([started.opened, io.stopped]);
      return runEntrypoint(io);
    };
    const { result, ends, logs, events } = await run(p, {
      onEvent: (e) => {
        if (e.type === 'step-log' && e.text === 'warming up') {
          // The line is in the step log while SageMaker still says InProgress.
          statusWhenLogged = [...fake.jobs.jobs.values()][0]?.status;
          started.open();
        }
      },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(ends));
    assert.equal(statusWhenLogged, 'InProgress');
    assert.equal(ends.train?.outcome, 'succeeded');

    const calls = fake.aws.targets().filter((c) => !c.startsWith('S3.Head'));
    const first = (t: string) => calls.indexOf(t);
    assert.ok(first('S3.PutObject') < first('SageMaker.CreateTrainingJob'), 'inputs are uploaded before the job starts');
    assert.ok(first('SageMaker.CreateTrainingJob') < first('SageMaker.DescribeTrainingJob'));
    assert.ok(first('Logs_20140328.GetLogEvents') < first('S3.GetObject'), 'logs are read while the job runs, the output after');
    assert.equal(fake.aws.targets('SageMaker.Create').length, 1);

    const create = fake.aws.calls.find((c) => c.target === 'SageMaker.CreateTrainingJob')!.input as Record<string, any>;
    assert.match(create.TrainingJobName, /^fb-train-[0-9a-f]{10}-[0-9a-z]+$/);
    assert.equal(create.RoleArn, ROLE);
    assert.equal(create.AlgorithmSpecification.TrainingImage, IMAGE);
    assert.deepEqual(create.AlgorithmSpecification.ContainerEntrypoint, ['/bin/sh']);
    assert.deepEqual(create.ResourceConfig, { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    assert.deepEqual(create.HyperParameters, { lr: '0.5' });
    assert.equal(create.Environment.FLOWBENCH_STEP, 'train');
    assert.equal(create.Environment.MODE, 'remote');
    assert.equal(create.Environment.FLOWBENCH_RUN_ID, result.runId);
    assert.equal(create.InputDataConfig[0].DataSource.S3DataSource.S3DataType, 'ManifestFile');
    assert.equal(create.OutputDataConfig.S3OutputPath, `s3://${BUCKET}/flowbench/jobs`);
    assert.equal(create.EnableManagedSpotTraining, undefined);
    // Every uploaded object is named by its sha256: the raw data file under its engine hash among them.
    const objects = fake.aws.s3.keys(BUCKET, 'flowbench/objects/');
    assert.ok(objects.every((k) => /objects\/[0-9a-f]{64}$/.test(k)));
    assert.ok(objects.length >= 5, `deps files, the Parquet input and the script: ${objects.join(', ')}`);

    const model = JSON.parse(readFileSync(p.path('models/model.json'), 'utf8'));
    assert.deepEqual(model, { rows: 4, lr: 1, features: true, step: 'train' });
    assert.equal(readFileSync(p.path('reports/deep/summary.txt'), 'utf8'), 'ok\n');
    assert.deepEqual(ends.train?.metrics, { auc: 0.75 });
    assert.ok(logs.includes('training on 4 rows with lr 0.5'), logs.join('\n'));
    assert.ok(logs.includes('stderr works too'));
    assert.ok(logs.some((l) => /SageMaker job fb-train-.*: Training/.test(l)), 'secondary statuses are noted');
    const logFile = readFileSync(p.path(`.flowbench/logs/${result.runId}/train.log`), 'utf8');
    assert.match(logFile, /training on 4 rows/);

    const remote = events.filter((e) => e.type === 'step-remote');
    assert.ok(remote.length >= 2, 'once when created, once with the final figures');
    const store = openRunStore(p.path('.flowbench'));
    const record = await store.get(result.runId);
    const job = record!.steps.train!.remote!;
    assert.equal(job.status, 'Completed');
    assert.equal(job.jobName, create.TrainingJobName);
    assert.match(job.jobArn ?? '', /^arn:aws:sagemaker:us-east-1:\d+:training-job\//);
    assert.equal(job.instanceType, 'ml.m5.xlarge');
    assert.equal(job.region, 'us-east-1');
    assert.ok(job.billableSeconds! >= 1);
    assert.equal(job.estimatedCostUsd, Math.round(((0.23 * job.billableSeconds!) / 3600) * 1e6) / 1e6);
    assert.ok(job.uploadedBytes! > 0);
    assert.deepEqual(listPending(p.path('.flowbench')), [], 'a finished job leaves no pending entry');
  });
});

test('a second run is fully cached without calling AWS; changed code uploads only what changed; a revert restores', async (t) => {
  const p = remoteProject();
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    assert.equal((await run(p)).result.status, 'succeeded');
    const before = fake.aws.calls.length;
    const again = await run(p);
    assert.equal(again.ends.train?.outcome, 'cached');
    assert.equal(fake.aws.calls.length, before, 'no call at all');

    const original = readFileSync(p.path('steps/train.mjs'), 'utf8');
    writeFileSync(p.path('steps/train.mjs'), original + '// edited\n');
    fake.aws.calls.length = 0;
    const edited = await run(p);
    assert.equal(edited.ends.train?.outcome, 'succeeded');
    const puts = fake.aws.calls.filter((c) => c.target === 'S3.PutObject' || c.target === 'S3.CreateMultipartUpload').map((c) => c.input.Key as string);
    // The edited file, the job script (it names the new hash) and the manifest; the data and the Parquet input stay.
    assert.equal(puts.length, 3, puts.join('\n'));
    assert.ok(puts.some((k) => k.includes('/manifests/')));
    assert.ok(edited.logs.some((l) => /5 objects .*, 2 sent .*, 3 already in s3:/.test(l)), edited.logs.join('\n'));

    writeFileSync(p.path('steps/train.mjs'), original);
    fake.aws.calls.length = 0;
    const reverted = await run(p);
    assert.equal(reverted.ends.train?.outcome, 'restored');
    assert.deepEqual(fake.aws.calls, []);
    assert.equal(JSON.parse(readFileSync(p.path('models/model.json'), 'utf8')).rows, 4);
  });
});

test('cancel stops the job and waits until SageMaker says Stopped', async (t) => {
  const p = remoteProject();
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    fake.jobs.script = async (io) => {
      io.log('running until stopped');
      await io.stopped;
    };
    const controller = new AbortController();
    const { result, ends, logs } = await run(p, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step-log' && e.text === 'running until stopped') controller.abort();
      },
    });
    assert.equal(result.status, 'cancelled');
    assert.equal(ends.train?.outcome, 'cancelled');
    const job = [...fake.jobs.jobs.values()][0]!;
    assert.equal(job.status, 'Stopped');
    const sm = fake.aws.targets('SageMaker.');
    const stop = sm.indexOf('SageMaker.StopTrainingJob');
    assert.ok(stop > 0);
    assert.ok(sm.slice(stop + 1).includes('SageMaker.DescribeTrainingJob'), 'the runner waited for the Stopped status');
    assert.ok(logs.some((l) => l.includes('stopping SageMaker job')));
    assert.ok(!existsSync(p.path('models/model.json')));
    assert.deepEqual(listPending(p.path('.flowbench')), []);
    const record = await openRunStore(p.path('.flowbench')).get(result.runId);
    assert.equal(record!.steps.train!.remote!.status, 'Stopped');
  });
});

test('a failed job fails the step with its FailureReason, and is not cached', async (t) => {
  const p = remoteProject(compute(), ', EXIT_WITH: "3"');
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    const { result, ends } = await run(p);
    assert.equal(result.status, 'failed');
    assert.equal(ends.train?.outcome, 'failed');
    assert.match(ends.train!.message!, /^SageMaker job fb-train-\S+ failed: AlgorithmError: the container's entrypoint exited with code 3$/);
    const again = await run(p);
    assert.equal(again.ends.train?.outcome, 'failed', 'a failure is never cached');
    assert.equal(fake.aws.targets('SageMaker.CreateTrainingJob').length, 2);
  });
});

test('a processing job: request shape and outs from the output prefix', async (t) => {
  const p = remoteProject(compute('job: processing, instance_count: 2'));
  // Without max_runtime_seconds the step's timeout is SageMaker's limit.
  p.write('remote.flow.yaml', readFileSync(p.path('remote.flow.yaml'), 'utf8').replace('    cwd: steps\n', '    cwd: steps\n    timeout: 599.5s\n'));
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    const { result, ends } = await run(p);
    assert.equal(result.status, 'succeeded', ends.train?.message);
    const create = fake.aws.calls.find((c) => c.target === 'SageMaker.CreateProcessingJob')!.input as Record<string, any>;
    assert.equal(create.AppSpecification.ImageUri, IMAGE);
    assert.equal(create.ProcessingResources.ClusterConfig.InstanceCount, 2);
    assert.equal(create.StoppingCondition.MaxRuntimeInSeconds, 600);
    assert.equal(create.ProcessingInputs[0].S3Input.S3DataType, 'ManifestFile');
    assert.equal(create.HyperParameters, undefined, 'processing jobs take the environment only');
    assert.match(create.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri, /^s3:\/\/fb-test\/flowbench\/jobs\/fb-train-.*\/output$/);
    assert.ok(fake.aws.targets().includes('S3.ListObjectsV2'));
    assert.ok(fake.aws.targets().includes('Logs_20140328.GetLogEvents'));
    assert.equal(JSON.parse(readFileSync(p.path('models/model.json'), 'utf8')).rows, 4);
    assert.equal(readFileSync(p.path('reports/deep/summary.txt'), 'utf8'), 'ok\n');
    const record = await openRunStore(p.path('.flowbench')).get(result.runId);
    const job = record!.steps.train!.remote!;
    assert.equal(job.kind, 'processing');
    assert.equal(job.estimatedCostUsd, Math.round(((0.23 * 2 * job.billableSeconds!) / 3600) * 1e6) / 1e6);
  });
});

test('spot: managed spot settings, an interruption shown in the log, MaxWaitTime exceeded fails clearly', async (t) => {
  const p = remoteProject(compute('spot: true, max_runtime_seconds: 3600, max_wait_seconds: 7200'));
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    fake.jobs.script = async (io) => {
      io.secondary('Interrupted', 'Training job interrupted: spot capacity not available');
      io.secondary('Starting', 'Waiting for spot capacity');
      const code = await io.exec();
      io.job.trainingSeconds = 100;
      io.job.billableSeconds = 30;
      if (code !== 0) return { failed: `exit ${code}` };
    };
    const ok = await run(p);
    assert.equal(ok.result.status, 'succeeded', ok.ends.train?.message);
    const create = fake.aws.calls.find((c) => c.target === 'SageMaker.CreateTrainingJob')!.input as Record<string, any>;
    assert.equal(create.EnableManagedSpotTraining, true);
    assert.deepEqual(create.StoppingCondition, { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
    assert.ok(ok.logs.some((l) => /Interrupted .*spot capacity was reclaimed/.test(l)), ok.logs.join('\n'));
    const record = await openRunStore(p.path('.flowbench')).get(ok.result.runId);
    assert.deepEqual([record!.steps.train!.remote!.trainingSeconds, record!.steps.train!.remote!.billableSeconds, record!.steps.train!.remote!.spot], [100, 30, true]);

    fake.jobs.script = async () => ({ stoppedBy: 'MaxWaitTimeExceeded', message: 'Training job reached its max wait time' });
    writeFileSync(p.path('lib/util.mjs'), 'export const double = (x) => x + x;\n');
    const waited = await run(p);
    assert.equal(waited.ends.train?.outcome, 'failed');
    assert.match(waited.ends.train!.message!, /spot job .* longer than max_wait_seconds \(7200 s\)\. Raise `max_wait_seconds:`, or drop `spot:`/);
  });
});

test('missing settings refuse the run before any step runs or any call is made', async (t) => {
  const p = remoteProject(`{ target: sagemaker, instance_type: ml.m5.xlarge, image: ${IMAGE}, role: '${ROLE}' }`);
  t.after(() => p.remove());
  await withRemote(async (fake) => {
    const { result, events } = await run(p);
    assert.equal(result.status, 'failed');
    assert.match(result.message!, /step train runs on SageMaker and needs an S3 location .*`s3_prefix: s3:\/\/bucket\/prefix`/);
    assert.deepEqual(events, []);
    assert.ok(!existsSync(p.path('data/clean.csv')), 'nothing ran');
    assert.deepEqual(fake.aws.calls, []);
  });
});
