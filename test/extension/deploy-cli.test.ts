// The extension's deploy path without the editor: `flowbench deploy … --json` and `undeploy` spawned as the
// Deploy Model command spawns them (deploy-cli.ts), the record parsed from stdout, a failure's message in
// plain words, and Cancel (an aborted signal) ending the CLI; Send Test Request on a SageMaker deployment
// through `flowbench invoke --json` against the fake AWS server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { deployArgs, failureOf, invokeArgs, parseInvokeAnswer, parseRecord, refusedAsFailed, runCli } from '../../extension/deploy-cli';
import { cli, ensureBuilt, flowbench, project } from '../cli/harness';
import { deployProjectFiles } from '../deploy/deploy-project';
import { BUCKET, cliProject, ROLE } from '../deploy/sagemaker-fixture';

test('deploy-cli: deploys and stops through the CLI; failures and Cancel', async (t) => {
  ensureBuilt();
  const dir = project(t, deployProjectFiles());
  const flowFile = join(dir, 'deploy-test.flow.yaml');
  const lines: string[] = [];

  const none = await runCli(cli, dir, deployArgs('latest', flowFile, 'local'), (l) => lines.push(l));
  assert.notEqual(none.code, 0);
  assert.equal(parseRecord(none.stdout), undefined);
  assert.match(failureOf(none), /^no run of flow 'deploy-test' has produced models\/model\.onnx yet/);

  assert.equal(flowbench(dir, ['run'], 120_000).code, 0);
  const cancelled = new AbortController();
  cancelled.abort();
  const stopped = await runCli(cli, dir, deployArgs('latest', flowFile, 'local', 'cancelled'), () => undefined, cancelled.signal);
  assert.equal(stopped.cancelled, true);
  assert.notEqual(stopped.code, 0);

  const ok = await runCli(cli, dir, deployArgs('latest', flowFile, 'local', 'demo'), (l) => lines.push(l));
  try {
    assert.equal(ok.code, 0, ok.stderrTail);
    const record = parseRecord(ok.stdout);
    assert.equal(record?.name, 'demo');
    assert.match(record?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    const down = await runCli(cli, dir, ['undeploy', 'demo', flowFile], () => undefined);
    assert.equal(down.code, 0, down.stderrTail);
  }
});

test('deploy-cli: a Failed SageMaker endpoint: Send Test Request (`flowbench invoke`) says so, a deploy is refused as the Recreate offer expects, --recreate replaces it', async (t) => {
  const { dir, fake, sm, env } = await cliProject(t);
  // runCli passes the editor's environment on, as the extension host's would carry AWS_* settings.
  const saved = { ...process.env };
  t.after(() => {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
  });
  Object.assign(process.env, env);
  const flowFile = join(dir, 'deploy-test.flow.yaml');
  const deploy = (recreate: boolean) => runCli(cli, dir, [...deployArgs('latest', flowFile, 'sagemaker', undefined, recreate), '--role', ROLE, '--bucket', BUCKET, '--region', 'us-east-1'], () => undefined);
  const invoked: string[] = [];
  fake.onInvoke((req) => (invoked.push(req.endpointName), { body: JSON.stringify({ outputs: [{ name: 'probability', datatype: 'FP32', shape: [1, 1], data: [0.25] }] }) }));

  sm.script('deploy-test', { polls: 0, outcome: 'Failed', failureReason: 'The primary container did not pass the ping health check.' });
  const first = await deploy(false);
  assert.equal(first.code, 1);
  assert.equal(refusedAsFailed(first), false, 'the deploy that failed is not a refusal');
  const failed = await runCli(cli, dir, invokeArgs('deploy-test', flowFile), () => undefined);
  assert.equal(failed.code, 1);
  assert.equal(parseInvokeAnswer(failed.stdout), undefined);
  assert.equal(failureOf(failed), 'endpoint deploy-test is not InService: it failed (The primary container did not pass the ping health check.)');
  assert.deepEqual(invoked, [], 'a failed endpoint is not invoked');

  const refused = await deploy(false);
  assert.equal(refused.code, 1);
  assert.ok(refusedAsFailed(refused), failureOf(refused));
  sm.script('deploy-test', { polls: 0 });
  const recreated = await deploy(true);
  assert.equal(recreated.code, 0, recreated.stderrTail);
  assert.equal(parseRecord(recreated.stdout)?.status, 'running');
  assert.equal(sm.endpoints.get('deploy-test')?.status, 'InService');
  assert.equal(sm.models.size, 1, 'the failed endpoint\'s model was deleted');

  const ok = await runCli(cli, dir, invokeArgs('deploy-test', flowFile), () => undefined);
  assert.equal(ok.code, 0, ok.stderrTail);
  const answer = parseInvokeAnswer(ok.stdout);
  assert.deepEqual([answer?.target, answer?.status, (answer?.body as { outputs: { data: number[] }[] }).outputs[0]!.data], ['sagemaker', 200, [0.25]]);
  assert.deepEqual(invoked, ['deploy-test']);
});
