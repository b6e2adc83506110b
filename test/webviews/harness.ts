// Harness for webview component tests: bundles an entry with the same esbuild settings as the shipped
// panels, serves it on 127.0.0.1 under the panels' strict Content-Security-Policy, and opens it in Debian's
// Chromium through playwright-core. What is tested is what ships: same bundler, same CSP, a real browser.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Harness {
  page: Page;
  /** Every CSP violation and uncaught page error seen so far (a test asserts it stays empty). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Opens `entry` (a .tsx file that renders into `document.body`) in Chromium; CSS it imports is bundled beside
 * it. The page gets VS Code's dark-theme variables unless `themeCss` replaces them.
 */
export async function openHarness(entry: string, options: { themeCss?: string; viewport?: { width: number; height: number } } = {}): Promise<Harness> {
  const out = mkdtempSync(join(tmpdir(), 'flowbench-webview-'));
  await build({
    entryPoints: { main: entry },
    outdir: out,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    loader: { '.css': 'css' },
    logLevel: 'silent',
  });
  const nonce = randomBytes(16).toString('base64');
  // Same policy as the panels' (extension/panels writes it); the theme stylesheet stands in for the
  // variables VS Code injects into a real webview.
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; font-src 'self';`;
  const theme = options.themeCss ?? DARK_THEME;
  const html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${nonce}">${theme}</style><link rel="stylesheet" href="/main.css"></head>
<body><script nonce="${nonce}" src="/main.js"></script></body></html>`;
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0] ?? '/';
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    // Chromium asks for a favicon a webview never does; its 404 would show up as a console error.
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    try {
      const body = readFileSync(join(out, path.replace(/^\/+/, '').replace(/\.\./g, '')));
      res.writeHead(200, { 'content-type': path.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as { port: number };
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await new Promise((done) => server.close(done));
    rmSync(out, { recursive: true, force: true });
  };
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    return { page, errors, close };
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
