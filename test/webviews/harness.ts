// Harness for webview component tests: bundles an entry with the same esbuild settings as the shipped
// panels (scripts/webviews.mjs), serves it on 127.0.0.1 in the page and under the Content-Security-Policy
// the panels get (extension/panels/html.ts) from a worker thread (static-server.mjs: as in VS Code, not from
// the process that plays the extension host), and opens it in Debian's Chromium through playwright-core.
// What is tested is what ships: same bundler, same HTML and CSP, a real browser. A test may play the
// extension host: `host` receives what the webview posts and may post back (a fake of acquireVsCodeApi).
import { build } from 'esbuild';
import { panelHtml } from '../../extension/panels/html';
import { staticChunks, webviewBuildOptions } from '../../scripts/webviews.mjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface HarnessHost {
  /** Called with every message the webview posts. */
  receive(message: unknown, post: (message: unknown) => Promise<void>): void | Promise<void>;
}

export interface Harness {
  page: Page;
  /** Posts a message to the webview as the extension host would. */
  post(message: unknown): Promise<void>;
  /** Every CSP violation and uncaught page error seen so far (a test asserts it stays empty). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Opens `entry` (a .tsx file that renders into `document.body`) in Chromium; CSS it imports is bundled beside
 * it. The page gets VS Code's dark-theme variables unless `themeCss` replaces them.
 */
export interface HarnessOptions {
  themeCss?: string;
  viewport?: { width: number; height: number };
  host?: HarnessHost;
  /** What the webview's getState() returns at first (a reloaded panel's saved state). */
  state?: unknown;
  /** Production bundle (minified), as the VSIX ships it; benchmarks use it. */
  production?: boolean;
  /** Script run in the page before its own (a benchmark's probes). */
  initScript?: string;
  /** Called right before the page starts loading (a benchmark's "open command" moment, its probes). */
  beforeNavigate?: (page: Page) => void | Promise<void>;
  /**
   * Host messages cross as JSON text, as VS Code's webview postMessage serializes them (so NaN arrives as
   * null), instead of through playwright's own serializer, which costs ~10× more per message: benchmarks.
   */
  jsonMessages?: boolean;
}

export async function openHarness(entry: string, options: HarnessOptions = {}): Promise<Harness> {
  const out = mkdtempSync(join(tmpdir(), 'flowbench-webview-'));
  const { metafile } = await build({ ...webviewBuildOptions({ entryPoints: { main: entry }, outdir: out, production: options.production }), metafile: true, logLevel: 'silent' });
  // The theme stylesheet stands in for the variables VS Code injects into a real webview.
  writeFileSync(join(out, 'theme.css'), options.themeCss ?? DARK_THEME);
  const styles = ['/theme.css', ...(existsSync(join(out, 'main.css')) ? ['/main.css'] : [])];
  const server = new Worker(join(__dirname, 'static-server.mjs'), { workerData: { root: out } });
  const port = await new Promise<number>((listening, failed) => {
    server.once('message', listening);
    server.once('error', failed);
  }).catch(async (err: unknown) => {
    await server.terminate();
    rmSync(out, { recursive: true, force: true });
    throw err;
  });
  const preload = staticChunks(metafile, out, 'main.js').map((chunk) => `/${chunk}`);
  writeFileSync(join(out, 'index.html'), panelHtml({ title: 'harness', source: `http://127.0.0.1:${port}`, script: '/main.js', styles, preload }));
  let browser: Browser | undefined;
  let closed = false;
  const close = async () => {
    closed = true;
    await browser?.close().catch(() => undefined);
    await server.terminate();
    rmSync(out, { recursive: true, force: true });
  };
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // Failed loads are reported with their URL below; Chromium's own favicon request is not the page's.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) errors.push(`${res.status()} ${res.url()}`);
    });
    const send = options.jsonMessages
      ? (message: unknown) => page.evaluate((text) => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(JSON.parse(text), '*'), JSON.stringify(message))
      : (message: unknown) => page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(m, '*'), message);
    // What the host still answers as the test closes the page (rows the page asked for as it closed) is
    // dropped, as VS Code drops messages to a disposed panel, instead of failing in the host.
    const post = async (message: unknown) => {
      if (closed) return;
      await send(message).catch((err: unknown) => {
        if (!closed) throw err;
      });
    };
    const host = options.host;
    await page.exposeBinding('__flowbenchToHost', (_source, message: unknown) => host?.receive(message, post));
    // The page's stand-in for VS Code's acquireVsCodeApi; CSP violations become console errors the test sees.
    await page.addInitScript(`
      document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
      let state = ${JSON.stringify(options.state ?? null)};
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => window.__flowbenchToHost(m),
        getState: () => state,
        setState: (s) => { state = s; window.__flowbenchState = s; },
      });`);
    if (options.initScript) await page.addInitScript(options.initScript);
    await options.beforeNavigate?.(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    return { page, post, errors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A few of VS Code's Dark Modern theme variables, enough for components to render as in the editor. */
export const DARK_THEME = `:root{--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-foreground:#cccccc;
--vscode-editor-background:#1f1f1f;--vscode-editor-foreground:#cccccc;--vscode-focusBorder:#0078d4;
--vscode-list-hoverBackground:#2a2d2e;--vscode-list-activeSelectionBackground:#04395e;--vscode-list-activeSelectionForeground:#ffffff;
--vscode-input-background:#313131;--vscode-input-foreground:#cccccc;--vscode-input-border:#3c3c3c;
--vscode-inputValidation-errorBorder:#be1100;--vscode-errorForeground:#f85149;--vscode-descriptionForeground:#9d9d9d;
--vscode-panel-border:#2b2b2b;--vscode-button-background:#0078d4;--vscode-button-foreground:#ffffff;
--vscode-charts-blue:#3794ff;--vscode-charts-red:#f14c4c;--vscode-charts-green:#89d185;--vscode-charts-yellow:#cca700;
--vscode-charts-orange:#d18616;--vscode-charts-purple:#b180d7;--vscode-charts-foreground:#cccccc;--vscode-charts-lines:#cccccc80}
body{background:var(--vscode-editor-background);color:var(--vscode-foreground);font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);margin:0}`;
