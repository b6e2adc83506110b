// The experiments panel under VS Code's Light Modern, Dark Modern and High Contrast variables, in Chromium:
// key text (cells, headers, filter box, selected and focused rows, a failed status, the filter's error
// message) keeps a WCAG contrast of at least 4.5:1 against the background it is actually painted on, and
// keyboard focus is visible. Screenshots go to test-results/webview-theme-<name>.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openHarness, type Harness } from './harness';
import { controllerHost } from './experiments-host';
import { generateSummaries } from './runs';

// Page functions run in the browser; the root project has no DOM types.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const getComputedStyle: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ENTRY = join(__dirname, '../../webviews/experiments/index.tsx');
const WAIT = { timeout: 30_000 };

// The values VS Code's built-in themes give the variables our CSS uses. Colours a theme leaves unset (High
// Contrast has no list selection or hover background) are left out here too, as VS Code leaves them out.
const THEMES: Record<string, { bodyClass: string; vars: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#3b3b3b', focusBorder: '#005fb8',
      errorForeground: '#f85149', 'editorError-foreground': '#e51400', 'editorWarning-foreground': '#bf8803',
      'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece',
      'inputValidation-errorBorder': '#be1100', 'inputValidation-errorBackground': '#f2dede',
      'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
      'list-inactiveSelectionBackground': '#e4e6f1', 'list-focusOutline': '#005fb8', 'panel-border': '#e5e5e5',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b',
      'symbolIcon-variableForeground': '#007acc', 'textLink-foreground': '#005fb8', 'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-green': '#388a34', 'charts-red': '#e51400', 'charts-orange': '#d18616', 'charts-foreground': '#616161',
      'sideBarSectionHeader-background': '#f8f8f8', 'editorWidget-background': '#f8f8f8', 'widget-border': '#e5e5e5',
      'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', focusBorder: '#0078d4',
      errorForeground: '#f85149', 'editorError-foreground': '#f14c4c', 'editorWarning-foreground': '#cca700',
      'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c',
      'inputValidation-errorBorder': '#be1100', 'inputValidation-errorBackground': '#5a1d1d',
      'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
      'list-inactiveSelectionBackground': '#37373d', 'list-focusOutline': '#0078d4', 'panel-border': '#2b2b2b',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
      'symbolIcon-variableForeground': '#75beff', 'textLink-foreground': '#4daafc', 'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-green': '#89d185', 'charts-red': '#f14c4c', 'charts-orange': '#d18616', 'charts-foreground': '#cccccc',
      'sideBarSectionHeader-background': '#181818', 'editorWidget-background': '#202020', 'widget-border': '#313131',
      'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffffb3', focusBorder: '#f38518',
      contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518',
      errorForeground: '#f48771', 'editorError-foreground': '#f48771', 'editorWarning-foreground': '#ffd370',
      'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
      'inputValidation-errorBorder': '#6fc3df', 'inputValidation-errorBackground': '#000000',
      'list-focusOutline': '#f38518', 'panel-border': '#6fc3df', 'button-border': '#6fc3df',
      'button-background': '#000000', 'button-foreground': '#ffffff', 'button-secondaryForeground': '#ffffff',
      'symbolIcon-variableForeground': '#75beff', 'textLink-foreground': '#21a6ff', 'charts-blue': '#3794ff', 'charts-yellow': '#ffd370', 'charts-green': '#89d185', 'charts-red': '#f14c4c', 'charts-orange': '#d18616', 'charts-foreground': '#ffffff',
      'editorWidget-background': '#0c141f', 'widget-border': '#6fc3df',
      'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df',
    },
  },
};

const themeCss = (vars: Record<string, string>) =>
  `:root{--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-editor-font-size:13px;${Object.entries(vars)
    .map(([name, value]) => `--vscode-${name}:${value}`)
    .join(';')}}`;

interface Contrast {
  what: string;
  text: string;
  ratio: number;
}

// Written as page source text: the test bundler's keepNames would wrap these inner functions in a helper
// the page does not have.
const CONTRAST_IN_PAGE = `(selector) => {
  const parse = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const [r, g, b, a] = m[1].split(/[ ,/]+/).map(Number);
    return [r, g, b, a ?? 1];
  };
  // Background layers from the element up to the root, composited over an opaque page.
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) layers.push(parse(getComputedStyle(node).backgroundColor));
    let [r, g, b] = [255, 255, 255];
    for (const [lr, lg, lb, la] of layers.reverse()) [r, g, b] = [lr * la + r * (1 - la), lg * la + g * (1 - la), lb * la + b * (1 - la)];
    return [r, g, b];
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const bg = background(el);
    const [r, g, b, a] = parse(getComputedStyle(el).color);
    const fg = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return { text: String(el.value || el.textContent || '').slice(0, 30), ratio: (hi + 0.05) / (lo + 0.05) };
  });
}`;

/** WCAG contrast of each matched element's text against the composited background behind it. */
async function contrasts(page: Page, what: string, selector: string): Promise<Contrast[]> {
  const measured = (await page.evaluate(`(${CONTRAST_IN_PAGE})(${JSON.stringify(selector)})`)) as Omit<Contrast, 'what'>[];
  return measured.map((m) => ({ what, ...m }));
}

const outline = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((el) => {
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle === 'none' ? 'none' : `${s.outlineStyle} ${s.outlineColor}`, border: s.borderColor };
  });

for (const [name, theme] of Object.entries(THEMES)) {
  describe(`experiments panel, ${name} theme`, () => {
    let h: Harness;

    before(async () => {
      // Failed runs in both flows, so one is on screen whichever group comes first.
      const summaries = generateSummaries(200, 5, 5).map((s, i) => (i % 3 === 0 ? { ...s, status: 'failed' as const } : s));
      const ch = controllerHost(summaries);
      h = await openHarness(ENTRY, { host: ch.host, themeCss: themeCss(theme.vars), viewport: { width: 1000, height: 600 } });
      await h.page.evaluate((cls) => document.body.classList.add(cls), theme.bodyClass);
      await h.page.waitForSelector('[role=row][data-run]', WAIT);
    });
    after(async () => {
      await h?.close();
    });

    test('key text is readable and focus is visible', async () => {
      const page = h.page;
      const box = page.getByLabel('Filter runs');
      const boxBlurred = await outline(page, '.xp-filter-input');
      await box.focus();
      const boxFocused = await outline(page, '.xp-filter-input');
      assert.notDeepEqual(boxFocused, boxBlurred, 'the focused filter box looks different');

      // Select the first run, move focus to the second: both rows must stay readable.
      await page.locator('.xp-grid').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      await page.waitForSelector('.xp-row.selected[data-run]', WAIT);
      await page.waitForSelector('.xp-row.active[data-run]:not(.selected)', WAIT);
      const active = await outline(page, '.xp-row.active[data-run]');
      const resting = await outline(page, '.xp-row[data-run]:not(.active):not(.selected)');
      assert.notEqual(active.outline, 'none', 'the focused row has an outline');
      assert.notDeepEqual(active, resting, 'the focused row looks different from the others');

      const checked = [
        ...(await contrasts(page, 'header', '[role=columnheader] .xp-head-label')),
        ...(await contrasts(page, 'cell', '.xp-row[data-run]:not(.active):not(.selected) [role=gridcell]:not(.xp-select):not(.xp-star)')),
        ...(await contrasts(page, 'selected row', '.xp-row.selected[data-run] [role=gridcell]:not(.xp-select):not(.xp-star)')),
        ...(await contrasts(page, 'focused row', '.xp-row.active[data-run] [role=gridcell]:not(.xp-select):not(.xp-star)')),
        ...(await contrasts(page, 'status', '.xp-cell.status-failed, .xp-cell.status-running')),
        ...(await contrasts(page, 'status line', '.xp-status')),
      ];
      // Two runs selected: the compare view shows them side by side, with deltas from the first.
      await page.keyboard.press('Space');
      await page.waitForSelector('.fb-compare-table .fb-delta', WAIT);
      checked.push(
        ...(await contrasts(page, 'compare', '.fb-compare-table caption, .fb-compare-table th, .fb-compare-table td, .fb-run-meta')),
        ...(await contrasts(page, 'compare delta', '.fb-delta')),
      );
      await box.fill('metrics.auc > 0.7 andd status = failed');
      await page.waitForSelector('.xp-filter-problem', WAIT);
      checked.push(...(await contrasts(page, 'filter box', '.xp-filter-input')), ...(await contrasts(page, 'filter error', '.xp-filter-problem')));

      for (const kind of ['header', 'cell', 'selected row', 'focused row', 'status', 'compare', 'compare delta', 'filter box', 'filter error']) {
        assert.ok(checked.some((c) => c.what === kind), `${kind} was measured`);
      }
      const poor = checked.filter((c) => c.ratio < 4.5).map((c) => `${c.what} "${c.text}": ${c.ratio.toFixed(2)}:1`);
      assert.deepEqual([...new Set(poor)], [], `text below 4.5:1 in the ${name} theme`);

      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: `test-results/webview-theme-${name}.png` });
      assert.deepEqual(h.errors, []);
    });
  });
}
