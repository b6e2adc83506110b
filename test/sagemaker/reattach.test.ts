// A runner killed with SIGKILL while its SageMaker job runs: the job is not lost. The real CLI runs as a
// child process against the fake AWS server (no real AWS account); the next `flowbench run` says the job
// was left behind and how to follow or stop it without starting a second one, and `flowbench run --attach`
// follows it to the end and collects its outs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ensureBuilt, parseEvents, project, readAllRecords, startFlowbench, waitFor } from '../cli/harness';
import { listPending } from '../../core/sagemaker/pending';
import { BUCKET, startFakeRemote } from '../helpers/fake-aws/remote';
import { runEntrypoint } from '../helpers/fake-aws/sagemaker-jobs';

const FLOW = `flow: reattach
steps:
  train:
    run: node train.mjs
    deps: [train.mjs]
    outs: [model.txt]
    compute: { target: sagemaker, instance_type: ml.m5.large, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1, role: 'arn:aws:iam::123456789012:role/Fb', s3_prefix: 's3://${BUCKET}/p' }
`;

test('after a runner SIGKILL the job is found again: refused without --attach, followed with it, never duplicated', async (t) => {
  ensureBuilt();
  const dir = project(t, { 'reattach.flow.yaml': FLOW, 'train.mjs': "import { writeFileSync } from 'node:fs';\nconsole.log('fitting');\nwriteFileSync('model.txt', 'weights');\n" });
  const fake = await startFakeRemote();
  let open!: () => void;
  const gate = new Promise<void>((ok) => (open = ok));
  t.after(async () => {
    open();
    await fake.close();
  });
  fake.jobs.script = async (io) => {
    io.log('epoch 1');
    await Promise.race([gate, io.stopped]);
    return runEntrypoint(io);
  };

  const first = startFlowbench(dir, ['run', '--events'], fake.env);
  let out = '';
  first.child.stdout!.on('data', (d) => (out += d));
  await waitFor('the job and its first log line', () => out.includes('"type":"step-remote"') && out.includes('"text":"epoch 1"'));
  first.child.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');
  const job = [...fake.jobs.jobs.values()][0]!;
  assert.equal(job.status, 'InProgress', 'the job outlives its runner, as on SageMaker');
  assert.deepEqual(listPending(`${dir}/.flowbench`).map((p) => p.jobName), [job.name]);
  const firstRun = parseEvents(out.split('\n').filter((l) => l.startsWith('{')).join('\n'))[0]!.runId;

  const refused = startFlowbench(dir, ['run'], fake.env);
  const r = await refused.done;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`SageMaker training job ${job.name} \\(step train, run ${firstRun}\\) was left running when its runner stopped: \`flowbench run --attach\` follows it`));
  assert.match(r.stderr, new RegExp(`aws sagemaker stop-training-job --training-job-name ${job.name} --region us-east-1`));
  assert.match(r.stdout + r.stderr, /train .*is still InProgress: `flowbench run --attach` follows it/);
  assert.doesNotMatch(r.stderr, /Warning/, 'the CLI output stays clean of the SDK\'s Node version warning');
  assert.equal(fake.aws.targets('SageMaker.CreateTrainingJob').length, 1, 'no second job');
  assert.equal(readAllRecords(dir).get(firstRun)?.status, 'interrupted');

  const attached = startFlowbench(dir, ['run', '--attach', '--events'], fake.env);
  let attachOut = '';
  attached.child.stdout!.on('data', (d) => (attachOut += d));
  await waitFor('the reattach', () => attachOut.includes('reattaching to SageMaker job'));
  open();
  const a = await attached.done;
  assert.equal(a.code, 0, a.stderr);
  const events = parseEvents(a.stdout);
  assert.equal(events.find((e) => e.type === 'step-end')?.type === 'step-end' && (events.find((e) => e.type === 'step-end') as { outcome: string }).outcome, 'succeeded');
  assert.ok(events.some((e) => e.type === 'step-log' && e.text === 'fitting'), 'the rest of the log arrives');
  assert.equal(readFileSync(`${dir}/model.txt`, 'utf8'), 'weights');
  assert.equal(fake.aws.targets('SageMaker.CreateTrainingJob').length, 1);
  assert.deepEqual(listPending(`${dir}/.flowbench`), []);
  const record = JSON.parse(readFileSync(`${dir}/.flowbench/runs/${events[0]!.runId}/record.json`, 'utf8'));
  assert.equal(record.steps.train.remote.jobName, job.name);
  assert.equal(record.steps.train.remote.attached, true);

  const shown = await startFlowbench(dir, ['show', events[0]!.runId], fake.env).done;
  assert.match(shown.stdout, new RegExp(`SageMaker jobs\\n +train +training job ${job.name} +1 × ml.m5.large +Completed +\\d+ s, \\d+ s billable +≈ \\$[\\d.]+ \\(list price\\) +us-east-1, reattached`));

  const calls = fake.aws.calls.length;
  const cached = await startFlowbench(dir, ['run', '--events'], fake.env).done;
  assert.equal(cached.code, 0);
  assert.ok(parseEvents(cached.stdout).some((e) => e.type === 'step-end' && e.outcome === 'cached'));
  assert.equal(fake.aws.calls.length, calls, 'a cached remote step calls nothing');
  assert.ok(existsSync(`${dir}/model.txt`));
});
