// The extension's deploy path without the editor: `flowbench deploy … --json` and `undeploy` spawned as the
// Deploy Model command spawns them (deploy-cli.ts), the record parsed from stdout, a failure's message in
// plain words, and Cancel (an aborted signal) ending the CLI.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { deployArgs, failureOf, parseRecord, runCli } from '../../extension/deploy-cli';
import { cli, ensureBuilt, flowbench, project } from '../cli/harness';
import { deployProjectFiles } from '../deploy/deploy-project';

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
