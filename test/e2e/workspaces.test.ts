// Opening real and broken workspaces: the example's steps appear; flow files that are not valid YAML
// or whose steps form a cycle show their problems and a usable tree, never an activation error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
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
});
