// The experiments panel in a real VS Code (code-server) with the packaged extension, on runs the real CLI
// recorded: open it, check the CSP of the page VS Code serves, sort, filter (with a typo first), star
// (the star lands in the run store), select two runs and compare them (diff and a history chart). Webviews are nested iframes: the panel's document is
// found among page.frames().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { ROOT, runCommand, screenshot, showFlowbench, startSession, type Session, panelCsp } from './workbench';

const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03];

/** A flow whose one step writes metrics from its `lr` param: auc = 0.6 + 10·lr. */
function makeTrainWorkspace(): { dir: string; flow: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-xp-'));
  mkdirSync(join(dir, 'steps'));
  writeFileSync(
    join(dir, 'steps', 'fit.mjs'),
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
const lr = Number(process.argv[2]);
// A loss history for the compare view's chart, through the engine's metrics log.
for (let step = 0; step < 200; step++) appendFileSync(process.env.FLOWBENCH_METRICS_LOG, JSON.stringify({ name: 'loss', value: 1 / (1 + step * lr), step }) + '\\n');
mkdirSync('metrics', { recursive: true });
writeFileSync('metrics/train.json', JSON.stringify({ auc: 0.6 + lr * 10, loss: 1 - lr * 10 }));
console.log('trained with lr=' + lr);
`,
  );
  const flow = join(dir, 'train.flow.yaml');
  writeFileSync(flow, 'flow: train\nparams:\n  lr: 0.01\n  seed: 1\nsteps:\n  fit:\n    run: node steps/fit.mjs ${params.lr}\n    deps: [steps/fit.mjs]\n    metrics: metrics/train.json\n');
  return { dir, flow };
}

async function panelFrame(session: Session): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of session.page.frames()) {
      if (await frame.locator('.xp-app').count().catch(() => 0)) return frame;
    }
    await session.page.waitForTimeout(250); // polling the frame tree: there is no event for "a frame got this element"
  }
  throw new Error('the experiments panel did not appear');
}

describe('experiments panel in code-server', { timeout: 300_000 }, () => {
  let session: Session | undefined;
  let ws: { dir: string; flow: string };
  let frame: Frame;

  before(async () => {
    ws = makeTrainWorkspace();
    session = await startSession(); // builds and installs the VSIX, so dist/cli.js is fresh
    for (const lr of LEARNING_RATES) execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', ws.flow, '--set', `lr=${lr}`], { cwd: ws.dir, stdio: 'pipe' });
    await session.openFolder(ws.dir);
    await showFlowbench(session.page);
  }, { timeout: 240_000 });

  after(async () => {
    await session?.close();
    rmSync(ws.dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test('opens on the workspace runs under the strict CSP', async () => {
    await runCommand(session!.page, 'Flowbench: Open Experiments');
    frame = await panelFrame(session!);
    const status = frame.locator('.xp-status');
    await status.filter({ hasText: /^4 of 4 runs/ }).waitFor({ timeout: 30_000 }).catch(async (err) => {
      await screenshot(session!.page, 'e2e-experiments-01-failed');
      throw new Error(`${(err as Error).message}\nstatus line: ${await status.innerText().catch(() => '?')}`);
    });
    await frame.locator('[role=row][data-run]').nth(3).waitFor();
    const csp = await panelCsp(frame);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[^']+'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    await screenshot(session!.page, 'e2e-experiments-01-open');
  });

  test('sorts by a metric', async () => {
    // Turn grouping off and pin the metric so its header is on screen.
    await frame.getByText('Group by flow').click();
    await frame.getByText('Columns…').click();
    await frame.getByLabel('Find a column').fill('metrics.auc');
    await frame.getByLabel('Pin metrics.auc').click();
    await frame.getByText('Close', { exact: true }).click();
    await frame.locator('button[data-column="metrics.auc"]').click();
    await frame.locator('[role=columnheader][aria-sort="ascending"] button[data-column="metrics.auc"]').waitFor();
    await frame.locator('button[data-column="metrics.auc"]').click();
    await frame.locator('[role=columnheader][aria-sort="descending"] button[data-column="metrics.auc"]').waitFor();
    const first = frame.locator('[role=row][data-position="0"]');
    await first.filter({ hasText: '0.9' }).waitFor({ timeout: 10_000 });
    await screenshot(session!.page, 'e2e-experiments-02-sorted');
  });

  test('a typo in the filter is pointed at; the fixed filter narrows the runs', async () => {
    const box = frame.getByLabel('Filter runs');
    await box.fill('metrics.acu > 0.65');
    const problem = frame.locator('.xp-filter-problem');
    await problem.waitFor({ timeout: 10_000 });
    assert.match(await problem.innerText(), /^col 1: /);
    await screenshot(session!.page, 'e2e-experiments-03-filter-typo');
    await box.fill('metrics.auc > 0.65');
    await frame.locator('.xp-status').filter({ hasText: /^2 of 4 runs/ }).waitFor({ timeout: 10_000 });
    assert.equal(await problem.count(), 0);
    await screenshot(session!.page, 'e2e-experiments-04-filtered');
  });

  test('a star is kept in the run store', async () => {
    const row = frame.locator('[role=row][data-position="0"]');
    const id = await row.getAttribute('data-run');
    await row.locator('.xp-star-button').click();
    await frame.locator(`[data-run="${id}"] .xp-star-button[aria-pressed="true"]`).waitFor({ timeout: 10_000 });
    const stars = readFileSync(join(ws.dir, '.flowbench', 'runs', 'stars.jsonl'), 'utf8');
    assert.ok(stars.includes(id!), `stars.jsonl names ${id}`);
  });

  test('two runs selected for comparison, by mouse and keyboard', async () => {
    await frame.locator('[role=row][data-position="0"] input[type=checkbox]').click();
    await frame.locator('.xp-grid').focus();
    await frame.locator('.xp-grid').press('End');
    await frame.locator('.xp-grid').press('Space');
    await frame.locator('.xp-status').filter({ hasText: '2 selected' }).waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('[role=row][aria-selected="true"]').count(), 2);
    // The compare view (charts' CompareView, wired by ComparePane) shows the two runs side by side.
    const diff = frame.locator('.fb-compare-table');
    await diff.locator('caption').filter({ hasText: /^2 runs/ }).waitFor({ timeout: 15_000 });
    const lr = await diff.locator('tr', { has: frame.locator('th', { hasText: /^(params\.)?lr$/ }) }).innerText();
    assert.match(lr, /0\.03/);
    assert.match(lr, /0\.01/);
    await screenshot(session!.page, 'e2e-experiments-05-two-selected');
  });

  test('the two runs side by side with deltas, and their loss history chart', async () => {
    await frame.locator('.fb-compare-table thead th').nth(2).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.fb-compare-table thead th').count(), 3, 'key column and two runs');
    const lr = frame.locator('.fb-compare-table tbody tr', { hasText: 'params.lr' });
    assert.equal(await lr.locator('.fb-delta').count(), 1, 'the non-baseline run shows its delta');
    await frame.locator('[role=img][aria-label^="loss: 2 runs"]').waitFor({ timeout: 30_000 });
    await frame.locator('.fb-history canvas').first().waitFor();
    await frame.locator('.fb-history').scrollIntoViewIfNeeded();
    await screenshot(session!.page, 'e2e-experiments-06-compare');
  });
});
