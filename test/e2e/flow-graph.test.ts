// The flow graph in a real VS Code (code-server) with the packaged extension: opened from the Pipelines
// tree on the example (sources, steps and the model drawn under the strict CSP), a click on a node opens the
// flow file at that step, and a run started from a node turns the nodes green live. Screenshots in
// test-results/. The webview is a nested iframe: its document is found among page.frames().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { makeQuickWorkspace } from './fixtures';
import { clickInlineAction, ROOT, screenshot, showFlowbench, startSession, treeRow, type Session, panelCsp } from './workbench';

const EXAMPLE = join(ROOT, 'examples', 'flight-delays');

async function graphFrame(session: Session, nodeId: string): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of session.page.frames()) {
      if (await frame.locator(`.fb-graph-node[data-id="${nodeId}"]`).count().catch(() => 0)) return frame;
    }
    await session.page.waitForTimeout(250); // polling the frame tree: there is no event for "a frame got this element"
  }
  await screenshot(session.page, 'e2e-flow-graph-failed');
  throw new Error(`the flow graph did not show ${nodeId}`);
}

describe('flow graph in code-server', { timeout: 300_000 }, () => {
  let session: Session | undefined;
  const ws = makeQuickWorkspace();

  before(async () => {
    session = await startSession();
  }, { timeout: 240_000 });

  after(async () => {
    await session?.close();
    rmSync(ws.dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test('opens from the Pipelines tree on the example and shows its sources, steps and model', async () => {
    const { page } = session!;
    await session!.openFolder(EXAMPLE);
    await showFlowbench(page);
    const flow = treeRow(page, /^flow flight-delays, flight-delays\.flow\.yaml$/);
    await flow.waitFor({ timeout: 30_000 });
    await clickInlineAction(flow, 'Show Flow Graph');
    const frame = await graphFrame(session!, 'step:train');
    for (const id of ['source:raw.flights', 'source:raw.airports', 'step:staging', 'step:features', 'step:train', 'step:evaluate', 'model'])
      await frame.locator(`.fb-graph-node[data-id="${id}"]`).waitFor();
    assert.equal(await frame.locator('.fb-graph-edge').count(), 7);
    assert.match((await frame.locator('.fg-title').textContent()) ?? '', /^flight-delays$/);
    const csp = await panelCsp(frame);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    await screenshot(page, 'e2e-flow-graph-01-example');
  });

  test('a click on a node opens the flow file at that step', async () => {
    const { page } = session!;
    const frame = await graphFrame(session!, 'step:train');
    await frame.locator('.fb-graph-node[data-id="step:train"] .fb-graph-label').click();
    await page.locator('.tab.active[aria-label^="flight-delays.flow.yaml"]').waitFor({ timeout: 15_000 });
    const line = readFileSync(join(EXAMPLE, 'flight-delays.flow.yaml'), 'utf8').split('\n').indexOf('  train:') + 1;
    // The selection is the step's name (columns 3–7), the cursor at its end: the status bar says so.
    const position = page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col 8 \\(5 selected\\)`) });
    await position.waitFor({ timeout: 15_000 }).catch(async (err) => {
      await screenshot(page, 'e2e-flow-graph-02-failed');
      throw new Error(`${(err as Error).message}\nstatus bar: ${await page.locator('.statusbar').innerText().catch(() => '?')}`);
    });
    await screenshot(page, 'e2e-flow-graph-02-opened-step');
  });

  test('a step run from its node: the nodes turn green as the run goes', async () => {
    const { page } = session!;
    await session!.openFolder(ws.dir);
    await showFlowbench(page);
    const flow = treeRow(page, /^flow quick, quick\.flow\.yaml$/);
    await flow.waitFor({ timeout: 30_000 });
    await clickInlineAction(flow, 'Show Flow Graph');
    const frame = await graphFrame(session!, 'step:report');
    const report = frame.locator('.fb-graph-node[data-id="step:report"]');
    assert.equal(await report.getAttribute('data-state'), 'never-run');
    await report.hover();
    assert.match((await frame.locator('[role=tooltip]').textContent()) ?? '', /report — never run/);
    await frame.locator('.fb-graph-node[data-id="step:prepare"] .fb-graph-run-button').click();
    await frame.locator('.fb-graph-node[data-id="step:prepare"][data-state="succeeded"], .fb-graph-node[data-id="step:prepare"][data-state="up-to-date"]').waitFor({ timeout: 60_000 });
    assert.match((await report.getAttribute('data-state')) ?? '', /^(never-run|stale)$/, 'only prepare ran');
    await screenshot(page, 'e2e-flow-graph-03-ran-step');
  });
});
