// One-click deploy in a real VS Code (code-server) with the packaged extension, on the deploy tests' small
// project (a real ONNX model trained from a SQL step's table; the example's run alone takes longer than an
// e2e file may on a shared machine) after a real run: Deploy Model from the Models view starts a local ONNX Runtime endpoint (through the
// CLI), the Deployments view shows it running, Send Test Request answers with a prediction, the Endpoint
// Monitor panel shows the request and the drift table, and Stop stops it. Screenshots in test-results/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deployProjectFiles } from '../deploy/deploy-project';
import { clickInlineAction, editorSays, frameWith, panelCsp, pickQuickItem, ROOT, screenshot, showFlowbench, startSession, treeRow, type Session } from './workbench';

const FAILED = 'e2e-deploy-failed';

describe('deploy in code-server', { timeout: 600_000 }, () => {
  let session: Session | undefined;
  let dir: string;
  const cli = () => join(ROOT, 'dist', 'cli.js');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowbench-deploy-e2e-'));
    for (const [path, text] of Object.entries(deployProjectFiles())) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    session = await startSession(); // builds and installs the VSIX, so dist/ is fresh
    execFileSync(process.execPath, [cli(), 'run'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
    await session.openFolder(dir);
    await showFlowbench(session.page);
  }, { timeout: 480_000 });

  after(async () => {
    // Whatever the test left running (a failure before Stop) ends with it.
    try {
      execFileSync(process.execPath, [cli(), 'undeploy', 'deploy-test'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
    } catch {
      // nothing deployed, or already stopped
    }
    await session?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const expand = async (title: string) => {
    const header = session!.page.locator('.part.sidebar .pane-header', { hasText: title }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  };

  test('deploy from the Models view, test request, monitor, stop', async () => {
    const { page } = session!;
    await expand('Models');
    const version = treeRow(page, /^model version [0-9a-f]{12}, run /);
    await version.waitFor({ timeout: 60_000 });
    await clickInlineAction(version, 'Deploy Model');
    await pickQuickItem(page, 'Local');
    const deployed = page.locator('.notification-toast', { hasText: 'deployed deploy-test at http://127.0.0.1:' });
    await deployed.waitFor({ timeout: 120_000 }).catch(async (err) => {
      await screenshot(page, FAILED);
      throw err;
    });
    await screenshot(page, 'e2e-deploy-01-deployed');
    await deployed.locator('.codicon-notifications-clear').click(); // its buttons are tried below, from the view

    await expand('Deployments');
    const running = treeRow(page, /^deployment deploy-test, running · http:\/\/127\.0\.0\.1:\d+ · model [0-9a-f]{12} · up .* · 0 requests$/);
    await running.waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-deploy-02-deployments-view');

    await clickInlineAction(running, 'Send Test Request');
    const answer = page.locator('.notification-toast', { hasText: /deploy-test: 200 in [\d.]+ ms: / });
    await answer.waitFor({ timeout: 30_000 }).catch(async (err) => {
      await screenshot(page, FAILED);
      throw err;
    });
    const text = await answer.innerText();
    const prediction = Number(/\{"predictions":\[([^\],]+)\]\}/.exec(text)?.[1]);
    assert.ok(prediction > 0 && prediction < 1, `a probability in the answer: ${text}`);
    await screenshot(page, 'e2e-deploy-03-test-request');
    await treeRow(page, /^deployment deploy-test, running · .* · 1 request$/).waitFor({ timeout: 30_000 });

    await clickInlineAction(treeRow(page, /^deployment deploy-test, running/), 'Open Endpoint Monitor');
    const frame = await frameWith(session!, '.em-app [data-total]', 'the endpoint monitor with requests', FAILED);
    await frame.locator('.em-summary', { hasText: /^1 requests · 0 errors/ }).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.fb-chart').count(), 3);
    const drifted = await frame.locator('.em-table tbody tr').count();
    assert.equal(drifted, 3, 'a drift row for x, group and the predictions');
    assert.equal(await frame.locator('.em-table tbody tr[data-feature="group"]').count(), 1);
    const csp = await panelCsp(frame);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    await screenshot(page, 'e2e-deploy-04-monitor');

    // A second request arrives as a delta while the panel is open.
    await clickInlineAction(treeRow(page, /^deployment deploy-test, running/), 'Send Test Request');
    await frame.locator('.em-summary', { hasText: /^2 requests · 0 errors/ }).waitFor({ timeout: 30_000 });

    // Once the row has taken the second request in: a click while VS Code re-renders a row's actions is lost.
    const counted = treeRow(page, /^deployment deploy-test, running · .* · 2 requests$/);
    await counted.waitFor({ timeout: 30_000 });
    await clickInlineAction(counted, 'Stop');
    await treeRow(page, /^deployment deploy-test, stopped · /).waitFor({ timeout: 60_000 }).catch(async (err) => {
      await screenshot(page, FAILED);
      throw new Error(`the deployment did not show as stopped; ${await editorSays(session!)}`, { cause: err });
    });
    await screenshot(page, 'e2e-deploy-05-stopped');
  });
});
