// Harness for the end-to-end suite: a real VS Code (code-server 4.100.3, installed by
// scripts/setup-e2e.sh) with the packaged Flowbench VSIX installed, driven in Debian Chromium
// through playwright-core. Every process it starts is killed by `close()`, which `after` hooks call.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
const CODE_SERVER_ENTRY = join(ROOT, 'test/e2e/.cache', `code-server-${CODE_SERVER_VERSION}`, 'node_modules/code-server/out/node/entry.js');
export const RESULTS_DIR = join(ROOT, 'test-results');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Installs code-server and Chromium if needed (the script is idempotent and quick once done). */
export function ensureCodeServer(): string {
  if (!existsSync(CODE_SERVER_ENTRY) || !existsSync(CHROMIUM)) execFileSync('bash', [join(ROOT, 'scripts/setup-e2e.sh')], { stdio: 'inherit' });
  return CODE_SERVER_ENTRY;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), st.mtimeMs);
}

/** dist/flowbench-linux-x64.vsix, rebuilt with `npm run package` when any source it bundles is newer. */
export function ensureVsix(): string {
  const vsix = join(ROOT, 'dist', 'flowbench-linux-x64.vsix');
  const sources = ['core', 'extension', 'language-server', 'webviews', 'media', 'examples/flight-delays', 'package.json', 'scripts/package.mjs', 'scripts/build.mjs', 'scripts/example-project.mjs'];
  const stale = !existsSync(vsix) || sources.some((s) => newestMtime(join(ROOT, s)) > statSync(vsix).mtimeMs);
  if (stale) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      throw new Error(`npm run package failed:\n${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
    }
  }
  return vsix;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Kills a detached child's whole process group and waits for the child to exit. */
async function killGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
}

export interface Session {
  url: string;
  page: Page;
  /** code-server's user data folder (logs, settings). */
  userDataDir: string;
  /** Opens `folder` in the workbench and waits until it is ready. */
  openFolder(folder: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts code-server with the VSIX installed and a Chromium page on it. */
export async function startSession(options: { settings?: Record<string, unknown> } = {}): Promise<Session> {
  const entry = ensureCodeServer();
  const vsix = ensureVsix();
  const base = mkdtempSync(join(tmpdir(), 'flowbench-e2e-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'telemetry.telemetryLevel': 'off',
      'files.autoSave': 'off',
      'git.openRepositoryInParentFolders': 'never',
      ...options.settings,
    }),
  );
  const configFile = join(base, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  execFileSync(process.execPath, [entry, ...common, '--install-extension', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });

  const port = await freePort();
  const log: string[] = [];
  const server = spawn(
    process.execPath,
    [entry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_PROXY_URI: '' } },
  );
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await killGroup(server);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((ready, fail) => {
      const onData = (chunk: Buffer) => {
        log.push(chunk.toString());
        if (log.join('').includes('HTTP server listening')) ready();
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.once('exit', (code) => fail(new Error(`code-server exited with ${code}:\n${log.join('')}`)));
      setTimeout(() => fail(new Error(`code-server did not start in 30 s:\n${log.join('')}`)), 30_000);
    });
    const url = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    return {
      url,
      page,
      userDataDir,
      async openFolder(folder: string) {
        await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
        await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.png`);
  await page.mouse.move(700, 895); // off any row, so no hover tooltip covers the view
  await page.screenshot({ path: file });
  return file;
}

/** Runs a command by its title through the command palette (F1). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await quickItem(page, title, 'prefix').click();
}

/** The quick-input row whose label is `label` (or starts with it). */
function quickItem(page: Page, label: string, match: 'exact' | 'prefix' = 'exact'): Locator {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${match === 'exact' ? '$' : ''}`);
  return page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
}

/** Ticks an entry of an open multi-select quick pick. */
export async function checkQuickItem(page: Page, label: string): Promise<void> {
  const box = quickItem(page, label).locator('.monaco-checkbox');
  await box.click();
  await box.and(page.locator('[aria-checked="true"]')).waitFor({ timeout: 5000 });
}

/** Picks an entry in an open quick pick. */
export async function pickQuickItem(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(label);
  await quickItem(page, label).click();
}

/** A row of a tree view by its accessible name, e.g. `train, up to date`. */
export function treeRow(page: Page, name: string | RegExp): Locator {
  return page.getByRole('treeitem', { name, exact: typeof name === 'string' });
}

/** Opens the Flowbench view container from the activity bar. */
export async function showFlowbench(page: Page): Promise<void> {
  const header = page.locator('.part.sidebar .pane-header', { hasText: 'Pipelines' }).first();
  // The activity bar toggles: clicking the container that is already shown would hide it.
  if (!(await header.isVisible())) await page.locator('.part.activitybar [aria-label^="Flowbench"]').first().click();
  await header.waitFor();
}

/** Opens a file by name through Quick Open (Ctrl+P). */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label^="${name}"]`).first().waitFor();
}

/** The webview frame (panels are nested iframes) holding `selector`; a screenshot `failShot` when none does. */
export async function frameWith(session: Session, selector: string, what: string, failShot: string): Promise<Frame> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const frame of session.page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    await session.page.waitForTimeout(250); // polling the frame tree: there is no event for "a frame got this element"
  }
  await screenshot(session.page, failShot);
  throw new Error(`${what} did not appear`);
}

/** Clicks one of a tree row's inline actions (they show on hover), by the command's title. */
export async function clickInlineAction(row: Locator, title: string): Promise<void> {
  await row.hover();
  await row.locator(`.actions .action-label[aria-label="${title}"]`).click();
}

/**
 * Waits until the active terminal's text, as VS Code gives it to a screen reader (the Accessible Terminal
 * View, read from xterm's buffer), matches `expected`; whatever xterm's renderer draws (DOM, canvas, WebGL).
 */
export async function waitForTerminalText(page: Page, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const lines = page.locator('.accessible-view .monaco-editor .view-lines');
  for (;;) {
    await runCommand(page, 'Terminal: Focus Terminal');
    await runCommand(page, 'Open Accessible View');
    // Opened before the terminal had focus (a task's terminal may still be starting), the view does not show: retry.
    const opened = await lines.waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (!opened) {
      if (Date.now() > deadline) throw new Error(`the Accessible Terminal View did not open; expected ${expected}`);
      await page.keyboard.press('Escape');
      continue;
    }
    // Monaco positions its lines absolutely, in any DOM order: read them top to bottom.
    const rows: { top: number; text: string }[] = [];
    for (const line of await lines.locator('.view-line').all()) {
      const top = Number(/top:\s*([\d.]+)px/.exec((await line.getAttribute('style')) ?? '')?.[1] ?? 0);
      rows.push({ top, text: ((await line.textContent()) ?? '').replace(/\u00a0/g, ' ') });
    }
    const text = rows.sort((a, b) => a.top - b.top).map((row) => row.text).join('\n');
    await page.keyboard.press('Escape');
    await lines.waitFor({ state: 'hidden' });
    if (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the terminal never showed ${expected}; it shows:\n${text}`);
    await page.waitForTimeout(250);
  }
}

/** Focuses the Problems panel and returns its text. */
export async function problemsText(page: Page): Promise<string> {
  await runCommand(page, 'View: Focus Problems');
  const panel = page.locator('.markers-panel');
  await panel.waitFor();
  return panel.innerText();
}

/** Text of an extension-host log file of this session, e.g. `flowbench.flowbench/Flowbench.log` or `remoteexthost.log`. */
export function hostLog(session: Session, relativePath: string): string {
  const logs = join(session.userDataDir, 'logs');
  const texts: string[] = [];
  for (const stamp of existsSync(logs) ? readdirSync(logs) : []) {
    for (const host of readdirSync(join(logs, stamp)).filter((name) => name.startsWith('exthost'))) {
      const file = join(logs, stamp, host, relativePath);
      if (existsSync(file)) texts.push(readFileSync(file, 'utf8'));
    }
  }
  return texts.join('\n');
}

/** For a failure message: the editor's notifications and the extension's last log lines. */
export async function editorSays(session: Session): Promise<string> {
  const notices = await session.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  const logged = hostLog(session, 'flowbench.flowbench/Flowbench.log').split('\n').slice(-5).join(' | ');
  return `notifications: ${notices.join(' | ') || 'none'}; log: ${logged}`;
}

/**
 * The Content-Security-Policy a panel's document was served with, read from the document itself: the
 * locator waits for the meta element, since VS Code may still be swapping the frame's document when the
 * panel's content first shows.
 */
export async function panelCsp(frame: Frame): Promise<string> {
  return (await frame.locator('meta[http-equiv="Content-Security-Policy"]').first().getAttribute('content', { timeout: 10_000 })) ?? '';
}
