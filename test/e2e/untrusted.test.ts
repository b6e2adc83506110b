// An untrusted workspace (Restricted Mode): Flowbench still shows and lints flows but offers no way to
// run a step, and starts no process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeQuickWorkspace } from './fixtures';
import { hostLog, screenshot, showFlowbench, startSession, treeRow, type Session } from './workbench';

describe('Flowbench in an untrusted workspace', { timeout: 180_000 }, () => {
  let session: Session | undefined;
  const ws = makeQuickWorkspace();

  before(async () => {
    session = await startSession({
      settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' },
    });
    await session.openFolder(ws.dir);
    await showFlowbench(session.page);
  }, { timeout: 120_000 });

  after(async () => {
    await session?.close();
    rmSync(ws.dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test('shows the steps but no run actions, and runs nothing', async () => {
    const { page } = session!;
    const row = treeRow(page, 'prepare, never run');
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.actions .action-label[aria-label="Show Step Log"]').waitFor();
    assert.equal(await row.locator('.actions .action-label[aria-label="Run Step"]').count(), 0);

    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.fill('>Flowbench: Run');
    await page.locator('.quick-input-widget .monaco-list-row').first().waitFor();
    const offered = await page.locator('.quick-input-widget .monaco-list-row .label-name').allInnerTexts();
    assert.deepEqual(offered.filter((label) => label.startsWith('Flowbench: Run')), []);
    await screenshot(page, 'e2e-10-untrusted');
    await page.keyboard.press('Escape');

    const log = hostLog(session!, 'flowbench.flowbench/Flowbench.log');
    assert.match(log, /activated in .*trusted=false/);
    assert.doesNotMatch(log, /spawn pid=/);
  });
});
