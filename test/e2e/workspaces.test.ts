// Opening real and broken workspaces: the example's steps appear; flow files that are not valid YAML
// or whose steps form a cycle show their problems and a usable tree, never an activation error; a flow that
// mixes local, SageMaker and Snowflake steps says where each runs (and opening it calls no service).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBrokenWorkspace } from './fixtures';
import { hostLog, openFile, problemsText, ROOT, screenshot, showFlowbench, startSession, treeRow, type Session } from './workbench';

describe('Flowbench workspaces in code-server', { timeout: 240_000 }, () => {
  let session: Session | undefined;
  const broken = makeBrokenWorkspace();

  before(async () => {
    session = await startSession();
  }, { timeout: 180_000 });

  after(async () => {
    await session?.close();
    rmSync(broken.dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test('the flight-delays example shows its steps', async () => {
    const { page } = session!;
    await session!.openFolder(join(ROOT, 'examples', 'flight-delays'));
    await showFlowbench(page);
    await treeRow(page, /^flow flight-delays,/).waitFor({ timeout: 30_000 });
    // The example also holds a Python variant of the flow, with the same step names.
    for (const step of ['staging', 'features', 'train', 'evaluate']) await treeRow(page, new RegExp(`^${step}, `)).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-08-example-steps');
  });

  test('a workspace with broken flows shows problems and a usable tree, without an activation error', async () => {
    const { page } = session!;
    await session!.openFolder(broken.dir);
    await showFlowbench(page);
    // The cycle flow still lists its steps; the cyclic ones say why they cannot run, the healthy one can.
    await treeRow(page, /^flow cycle, \d+ problems?$/).waitFor({ timeout: 30_000 });
    await treeRow(page, 'ping, cannot run').waitFor();
    await treeRow(page, 'pong, cannot run').waitFor();
    await treeRow(page, 'fine, never run').waitFor();
    // The YAML error becomes a problem row under its flow, with whatever steps could be read.
    await treeRow(page, /^flow bad-yaml, \d+ problems?$/).waitFor();
    await screenshot(page, 'e2e-09a-broken-tree');

    await openFile(page, 'cycle.flow.yaml');
    await openFile(page, 'bad-yaml.flow.yaml');
    const deadline = Date.now() + 30_000;
    let text = '';
    while (!(/cycle/i.test(text) && text.includes('bad-yaml.flow.yaml')) && Date.now() < deadline) {
      text = await problemsText(page);
      await page.waitForTimeout(500);
    }
    assert.match(text, /cycle/i);
    assert.match(text, /bad-yaml\.flow\.yaml/);
    await screenshot(page, 'e2e-09b-broken-problems');

    assert.match(hostLog(session!, 'flowbench.flowbench/Flowbench.log'), /activated in [\d.]+ ms/);
    assert.doesNotMatch(hostLog(session!, 'remoteexthost.log'), /Activating extension .?flowbench\.flowbench.? failed/i);
    assert.equal(await page.locator('.notifications-toasts', { hasText: /flowbench/i }).count(), 0);
  });

  test('a flow mixing a local step, a SageMaker step and a Snowflake SQL step shows each one\'s target', async () => {
    const { page } = session!;
    const dir = mkdtempSync(join(tmpdir(), 'flowbench-mixed-'));
    try {
      mkdirSync(join(dir, 'sql'));
      writeFileSync(join(dir, 'sql', 'features.sql'), "SELECT id, delay * 2 AS delay2\nFROM {{ source('raw', 'flights') }}\n");
      writeFileSync(
        join(dir, 'mixed.flow.yaml'),
        `flow: mixed
warehouse: snow
warehouses:
  snow: { type: snowflake, account: acme-xy123, user: ana, database: ML, schema: PUBLIC, warehouse: WH }
sources:
  raw:
    flights: { relation: ML.RAW.FLIGHTS }
steps:
  prep:
    run: echo prep
  features:
    sql: sql/features.sql
  train:
    run: echo train
    needs: [prep, features]
    compute: { target: sagemaker, instance_type: ml.m5.xlarge, spot: true, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1, role: 'arn:aws:iam::123456789012:role/Fb', s3_prefix: 's3://bucket/mixed' }
`,
      );
      await session!.openFolder(dir);
      await showFlowbench(page);
      const description = async (step: string) => {
        const row = treeRow(page, new RegExp(`^${step}, `)).first();
        await row.waitFor({ timeout: 30_000 });
        return (await row.locator('.label-description').textContent()) ?? '';
      };
      assert.match(await description('prep'), /\blocal\b/);
      assert.match(await description('features'), /\bsql snowflake\b/);
      assert.match(await description('train'), /\bsagemaker ml\.m5\.xlarge spot\b/);
      await screenshot(page, 'e2e-09c-mixed-targets');
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
