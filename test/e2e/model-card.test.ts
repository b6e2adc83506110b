// The model card in a real VS Code (code-server) with the packaged extension, on a copy of the example
// after a real run: the Models view lists the flow's model version, a click opens the card panel (under the
// strict CSP) with its checks, slice metrics and lineage graph. Screenshots in test-results/. The webview
// is a nested iframe: its document is found among page.frames().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameWith, hostLog, panelCsp, ROOT, screenshot, showFlowbench, startSession, treeRow, type Session } from './workbench';

const cardFrame = (session: Session) => frameWith(session, '.mc-card', 'the model card', 'e2e-model-card-failed');

describe('model card in code-server', { timeout: 600_000 }, () => {
  let session: Session | undefined;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowbench-card-e2e-'));
    cpSync(join(ROOT, 'examples', 'flight-delays'), dir, { recursive: true, filter: (src) => !/[/\\](\.flowbench|models|metrics)$/.test(src) });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // One data test that fails as a warning (the run goes on), so the Pipelines view has failing rows to show.
    const flowFile = join(dir, 'flight-delays.flow.yaml');
    const flowText = readFileSync(flowFile, 'utf8');
    const withWarn = flowText.replace('        origin_state: [not_null]\n', "        origin_state: [not_null, { accepted_values: { values: [CA], severity: warn } }]\n");
    assert.notEqual(withWarn, flowText, 'the example still has the origin_state test this edits');
    writeFileSync(flowFile, withWarn);
    session = await startSession(); // builds and installs the VSIX, so dist/cli.js is fresh
    // A 2% sample keeps the run short; the card is the same kind of card.
    execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', '--set', 'sample_per_mille=20'], { cwd: dir, stdio: 'pipe', timeout: 300_000 });
    await session.openFolder(dir);
    await showFlowbench(session.page);
  }, { timeout: 480_000 });

  after(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test('opens the card of the example\'s model from the Models view', async () => {
    const { page } = session!;
    const header = page.locator('.part.sidebar .pane-header', { hasText: 'Models' }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const version = treeRow(page, /^model version [0-9a-f]{12}, run /);
    await version.waitFor({ timeout: 60_000 });
    await screenshot(page, 'e2e-model-card-01-models-view');
    await version.click();
    const frame = await cardFrame(session!);
    assert.match(await frame.locator('.mc-card h1').innerText(), /^flight-delays$/);
    await frame.getByRole('region', { name: 'Metrics by origin' }).waitFor();
    assert.ok(await frame.getByRole('region', { name: 'Metrics by origin' }).locator('tbody tr').count() > 5);
    assert.equal(await frame.locator('.mc-checks tbody tr').count(), 5);
    await frame.locator('.mc-graph .fb-graph-node').first().waitFor();
    const csp = await panelCsp(frame);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    await screenshot(page, 'e2e-model-card-02-card');
    await frame.getByRole('region', { name: 'Metrics by origin' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-model-card-03-slices');
  });

  test('the Pipelines view lists a SQL step\'s tests; a failed one opens its failing rows', async () => {
    const { page } = session!;
    const staging = treeRow(page, 'staging, up to date');
    await staging.waitFor({ timeout: 30_000 });
    // The row's own click opens the step's definition; the twistie expands it.
    if ((await staging.getAttribute('aria-expanded')) === 'false') await staging.locator('.monaco-tl-twistie').click();
    // Failures come first under the step, passes after them.
    const failed = treeRow(page, /^test accepted_values\(origin_state\), [\d,]+ failing$/);
    await failed.waitFor({ timeout: 30_000 });
    const rows = await page.getByRole('treeitem').evaluateAll((all) => all.map((r) => r.getAttribute('aria-label') ?? ''));
    const at = rows.indexOf('staging, up to date');
    assert.match(rows[at + 1] ?? '', /^test accepted_values\(origin_state\), /, rows.join(' | '));
    assert.match(rows[at + 2] ?? '', /^test .*, passed$/);
    await screenshot(page, 'e2e-data-tests-01-tree');
    await failed.click();
    // Two stages, so a failure says which one broke: the command opening the preview, or the preview's content.
    const tab = page.locator('.tab[aria-label^="Preview accepted_values(origin_state)"]').first();
    await tab.waitFor({ timeout: 30_000 }).catch(async () => {
      await screenshot(page, 'e2e-model-card-failed');
      const tabs = await page.locator('.tab').evaluateAll((all) => all.map((t) => t.getAttribute('aria-label')));
      const errors = hostLog(session!, 'remoteexthost.log').split('\n').filter((l) => /\[error\]/.test(l)).slice(-5);
      throw new Error(`a click on the failed test opened no preview; tabs: ${tabs.join(' | ')}; host errors: ${errors.join(' / ') || 'none'}`);
    });
    const preview = await frameWith(session!, 'text=Sample of the failing rows', 'the failing rows', 'e2e-model-card-failed');
    assert.match(await preview.locator('h1').first().innerText(), /staging: accepted_values\(origin_state\)/);
    assert.ok(await preview.locator('table tr').count() > 1, 'the sample rows show as a table');
    await screenshot(page, 'e2e-data-tests-02-failing-rows');
  });
});
