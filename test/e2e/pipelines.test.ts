// The Pipelines view in a real VS Code (code-server) with the packaged extension: seeing steps,
// running them from the tree and the palette, caching, lint in the Problems panel, and Stop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeQuickWorkspace, processesWith, type QuickWorkspace } from './fixtures';
import { checkQuickItem, clickInlineAction, openFile, pickQuickItem, problemsText, ROOT, runCommand, screenshot, showFlowbench, startSession, treeRow, waitForTerminalText, type Session } from './workbench';

const CLI = join(ROOT, 'dist', 'cli.js');

describe('Flowbench pipelines in code-server', { timeout: 240_000 }, () => {
  let session: Session | undefined;
  let ws: QuickWorkspace;

  before(async () => {
    ws = makeQuickWorkspace();
    session = await startSession();
    await session.openFolder(ws.dir);
    await showFlowbench(session.page);
  }, { timeout: 180_000 });

  after(async () => {
    await session?.close();
    for (const pid of processesWith(ws.marker)) process.kill(pid, 'SIGKILL');
    rmSync(ws.dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test('shows every flow and its steps in the tree', async () => {
    const { page } = session!;
    await treeRow(page, 'prepare, never run').waitFor({ timeout: 30_000 });
    await treeRow(page, 'report, never run').waitFor();
    await treeRow(page, 'nap, never run').waitFor();
    await treeRow(page, 'boom, never run').waitFor();
    await screenshot(page, 'e2e-01-steps-in-tree');
  });

  test('runs a step from the tree and it turns green', async () => {
    const { page } = session!;
    await clickInlineAction(treeRow(page, 'prepare, never run'), 'Run Step');
    await treeRow(page, 'prepare, up to date').waitFor({ timeout: 30_000 });
    await treeRow(page, 'report, never run').waitFor();
    await treeRow(page, /^run .*, succeeded, 1 ran, 0 cached$/).waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-02-step-ran');
  });

  test('running the flow twice: the second run is all cached', async () => {
    const { page } = session!;
    await clickInlineAction(treeRow(page, /^flow quick,/), 'Run Flow');
    await treeRow(page, /^run .*, succeeded, 1 ran, 1 cached$/).waitFor({ timeout: 30_000 });
    await treeRow(page, 'report, up to date').waitFor();
    await clickInlineAction(treeRow(page, /^flow quick,/), 'Run Flow');
    await treeRow(page, /^run .*, succeeded, 0 ran, 2 cached$/).waitFor({ timeout: 30_000 });
    await treeRow(page, 'prepare, up to date (cached)').waitFor();
    await treeRow(page, 'report, up to date (cached)').waitFor();
    await screenshot(page, 'e2e-03-all-cached');
  });

  test('runs a command from the palette', async () => {
    const { page } = session!;
    await runCommand(page, 'Flowbench: Force Run Flow');
    await pickQuickItem(page, 'quick');
    await treeRow(page, /^run .*, succeeded, 2 ran, 0 cached$/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-04-palette-force-run');
  });

  test('runs the flow with a changed param from quick pick and input box', async () => {
    const { page } = session!;
    await runCommand(page, 'Flowbench: Run Flow with Params...');
    await pickQuickItem(page, 'quick');
    await checkQuickItem(page, 'greeting');
    const input = page.locator('.quick-input-widget input.input');
    // Enter on the focused list row would toggle the item back; accept from the filter box instead.
    await input.focus();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'Value for params.greeting' }).waitFor();
    await input.fill('bonjour');
    await page.keyboard.press('Enter');
    await treeRow(page, /^run .*, succeeded, 2 ran, 0 cached, greeting="bonjour"$/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-04b-run-with-params');
  });

  test('each step is a task of type flowbench', async () => {
    const { page } = session!;
    await runCommand(page, 'Tasks: Run Task');
    await page.locator('.quick-input-widget .monaco-list-row[aria-label="All flowbench tasks"]').click();
    await pickQuickItem(page, 'flowbench: quick › report');
    const text = await waitForTerminalText(page, 'flowbench exited with code 0', 30_000);
    assert.match(text, /── report: (succeeded|cached|restored)/);
    await screenshot(page, 'e2e-04c-task');
    await showFlowbench(page);
  });

  test('an error typed into a flow file shows in the Problems panel', async () => {
    const { page } = session!;
    await openFile(page, 'quick.flow.yaml');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('    needs: [nosuchstep]\n');
    await assert.doesNotReject(async () => {
      const deadline = Date.now() + 30_000;
      while (!(await problemsText(page)).includes('nosuchstep')) {
        if (Date.now() > deadline) throw new Error('no problem about nosuchstep in the Problems panel');
        await page.waitForTimeout(500);
      }
    });
    await screenshot(page, 'e2e-05-problem-in-panel');
    await runCommand(page, 'File: Revert File');
    await showFlowbench(page);
  });

  test('a failing step notifies with Show Log, marks the failing line, and its log opens', async () => {
    const { page } = session!;
    await clickInlineAction(treeRow(page, 'boom, never run'), 'Run Step');
    await treeRow(page, 'boom, failed').waitFor({ timeout: 30_000 });
    const toast = page.locator('.notification-toast', { hasText: 'step boom failed' });
    await toast.waitFor({ timeout: 10_000 });
    const text = await problemsText(page);
    assert.match(text, /boom\.mjs/);
    assert.match(text, /step boom failed/);
    await screenshot(page, 'e2e-07a-step-failed');
    await toast.getByRole('button', { name: 'Show Log' }).click();
    const shown = await waitForTerminalText(page, /── boom failed/);
    assert.match(shown, /about to fail[\s\S]*TypeError: Cannot read properties of undefined \(reading 'threshold'\)/);
    await screenshot(page, 'e2e-07b-step-log');
    // The same log, as the engine wrote it to disk for the run.
    const [run] = JSON.parse(execFileSync(process.execPath, [CLI, 'runs', ws.failingFlow, '--limit', '1', '--json'], { cwd: ws.dir, encoding: 'utf8' })) as { id: string }[];
    const logFile = readFileSync(join(ws.dir, '.flowbench', 'logs', run!.id, 'boom.log'), 'utf8');
    assert.match(logFile, /^about to fail\n[\s\S]*TypeError: Cannot read properties of undefined \(reading 'threshold'\)/);
    await showFlowbench(page);
  });

  test('Stop cancels a running step and kills its process tree', async () => {
    const { page } = session!;
    await clickInlineAction(treeRow(page, 'nap, never run'), 'Run Step');
    await treeRow(page, 'nap, running').waitFor({ timeout: 30_000 });
    const deadline = Date.now() + 10_000;
    while (processesWith(ws.marker).length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(processesWith(ws.marker).length >= 2, 'the step did not start its processes');
    await screenshot(page, 'e2e-06a-running');

    await clickInlineAction(treeRow(page, 'nap, running'), 'Stop Run');
    // How fast is the engine's promise (groups ended within 2 s, test/engine); a loaded machine only delays the view.
    await treeRow(page, 'nap, cancelled').waitFor({ timeout: 15_000 });
    assert.deepEqual(processesWith(ws.marker), []);
    await screenshot(page, 'e2e-06b-cancelled');
    // The engine's own status on disk must not call it up to date either, nor the views once refreshed from it.
    const status = JSON.parse(execFileSync(process.execPath, [CLI, 'status', ws.slowFlow, '--json'], { cwd: ws.dir, encoding: 'utf8' })) as { steps: { step: string; state: string }[] };
    assert.equal(status.steps.find((s) => s.step === 'nap')?.state, 'never-run');
    await runCommand(page, 'Flowbench: Refresh');
    await treeRow(page, /^run .*, cancelled/).waitFor({ timeout: 10_000 });
    await treeRow(page, 'nap, cancelled').waitFor();
  });
});
