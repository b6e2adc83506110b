// A first run from the VSIX alone: in an empty folder, "Flowbench: Create Example Project" from the palette
// writes the example there and focuses the Pipelines view; running the flow turns every step green.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { clickInlineAction, editorSays, runCommand, screenshot, showFlowbench, startSession, treeRow, type Session } from './workbench';

const STEPS = ['staging', 'features', 'train', 'evaluate'];

/**
 * Answers the command's folder picker (VS Code's own, in the quick input) with `folder`. The picker opens on the
 * parent of `startsIn`, then moves into `startsIn` once it has listed it, and that move overwrites whatever was
 * typed meanwhile: so type only once it has settled, and press Enter only once it lists the typed folder.
 */
async function pickFolder(page: Page, folder: string, startsIn: string): Promise<void> {
  const dialog = page.locator('.quick-input-widget', { hasText: 'folder for the example project' });
  await dialog.waitFor();
  const showing = (path: string, entries: string[]) => page.waitForFunction(([path, entries]) => {
    const widget = [...document.querySelectorAll<HTMLElement>('.quick-input-widget')].find((el) => el.style.display !== 'none');
    const labels = [...(widget?.querySelectorAll('.monaco-list-row .label-name') ?? [])].map((el) => el.textContent ?? '');
    return widget?.querySelector<HTMLInputElement>('input.input')?.value === `${path}/` && labels.includes('..') && labels.every((label) => label === '..' || entries.includes(label));
  }, [path, entries] as const, { timeout: 15_000 });
  await showing(startsIn, readdirSync(startsIn));
  await page.locator('.quick-input-widget input.input').fill(`${folder}/`);
  await showing(folder, readdirSync(folder));
  await screenshot(page, 'e2e-10a-create-example-folder');
  // The picker first moves into the typed folder, then accepts it: each Enter gets its answer before the next.
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Enter');
    if (await dialog.waitFor({ state: 'hidden', timeout: 5_000 }).then(() => true, () => false)) return;
  }
  throw new Error('the folder picker did not accept the folder');
}

describe('Flowbench first run in code-server', { timeout: 420_000 }, () => {
  let session: Session | undefined;
  // Both folders sit in a private parent: the picker lists the workspace folder's parent, and a /tmp of a few
  // hundred entries (a shared CI machine's) made it too slow to answer.
  const parent = mkdtempSync(join(tmpdir(), 'flowbench-first-run-'));
  const dir = join(parent, 'empty');
  const other = join(parent, 'other');
  for (const folder of [dir, other]) mkdirSync(folder);

  before(async () => {
    session = await startSession();
    await session.openFolder(dir);
    // Its view container in the activity bar: the extension's contributions (commands too) are registered.
    await showFlowbench(session.page);
  }, { timeout: 180_000 });

  after(async () => {
    await session?.close();
    rmSync(parent, { recursive: true, force: true, maxRetries: 5 });
  });

  test('creates the example project from the palette in an empty folder, runs it, and the tree goes green', { timeout: 400_000 }, async () => {
    const { page } = session!;
    await runCommand(page, 'Flowbench: Create Example Project');
    await pickFolder(page, dir, dir);

    // The Pipelines view is focused and lists the example's steps, none run yet.
    await treeRow(page, /^flow flight-delays,/).waitFor({ timeout: 30_000 });
    for (const step of STEPS) await treeRow(page, `${step}, never run`).waitFor({ timeout: 30_000 });
    assert.ok(existsSync(join(dir, 'flight-delays.flow.yaml')));
    assert.ok(!existsSync(join(dir, 'node_modules')), 'nothing installed beside the project');
    await page.locator('.part.sidebar .pane-header', { hasText: 'Pipelines' }).first().waitFor();
    await screenshot(page, 'e2e-10b-example-created');

    await clickInlineAction(treeRow(page, /^flow flight-delays,/), 'Run Flow');
    await treeRow(page, /^run .*, succeeded, 4 ran, 0 cached$/).waitFor({ timeout: 360_000 });
    for (const step of STEPS) await treeRow(page, `${step}, up to date`).waitFor({ timeout: 10_000 });
    assert.ok(existsSync(join(dir, 'models', 'model.onnx')));
    assert.ok(existsSync(join(dir, 'metrics', 'eval.json')));
    await screenshot(page, 'e2e-10c-example-green');
  });

  test('created in a folder outside the workspace, the example opens there with its flow and the Pipelines view', async () => {
    const { page } = session!;
    await runCommand(page, 'Flowbench: Create Example Project');
    await pickFolder(page, other, dir);
    // An error toast hides itself after 15 s: race it against the window moving, so a failure names it.
    const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'example project' }).first();
    const outcome = await Promise.race([
      page.waitForURL((url) => url.searchParams.get('folder') === other, { timeout: 30_000 }).then(() => 'opened', () => 'timed out'),
      toast.waitFor({ timeout: 30_000 }).then(async () => `said: ${await toast.innerText().catch(() => '(gone)')}`, () => 'timed out'),
    ]);
    if (outcome !== 'opened') {
      await screenshot(page, 'e2e-10d-example-not-opened').catch(() => undefined);
      const where = [other, dir, parent].filter((folder) => existsSync(join(folder, 'flight-delays.flow.yaml')));
      throw new Error(`the window did not open ${other} (${outcome}; now at ${page.url()}); example written in: ${where.join(', ') || 'none'}; ${await editorSays(session!)}`);
    }
    await page.locator('.tab[aria-label^="flight-delays.flow.yaml"]').first().waitFor({ timeout: 60_000 });
    for (const step of STEPS) await treeRow(page, `${step}, never run`).waitFor({ timeout: 30_000 });
    assert.ok(existsSync(join(other, 'flight-delays.flow.yaml')));
    await screenshot(page, 'e2e-10d-example-opened');
  });
});
