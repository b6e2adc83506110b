// Every panel's served page (extension/panels/html.ts, what PanelHost gives each webview) holds the strict
// CSP: nothing by default, scripts only by nonce and only from the bundle, no eval, no inline script or style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { panelHtml } from '../../extension/panels/html';
import { PANELS } from '../../scripts/webviews.mjs';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

for (const panel of Object.keys(PANELS)) {
  test(`${panel}: the served page's CSP is strict`, () => {
    const preload = [`${SOURCE}/dist/webviews/shared/chunk-A.js`, `${SOURCE}/dist/webviews/shared/chunk-B.js`];
    const html = panelHtml({ title: panel, source: SOURCE, script: `${SOURCE}/dist/webviews/${panel}.js`, styles: [`${SOURCE}/dist/webviews/${panel}.css`], preload });
    const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
    assert.equal(metas.length, 1, 'one CSP meta tag');
    const csp = directives(metas[0]![1]!.replace(/&#39;|&apos;/g, "'"));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    const scriptSrc = csp.get('script-src')!;
    assert.equal(scriptSrc.length, 1);
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc[0]!)?.[1];
    assert.ok(nonce, `script-src is a nonce only: ${scriptSrc}`);
    for (const [name, values] of csp) {
      assert.ok(!values.includes("'unsafe-eval'"), `${name} allows eval`);
      assert.ok(!values.includes("'unsafe-inline'"), `${name} allows inline`);
      assert.ok(!values.includes('*') && !values.some((v) => v.startsWith('http:') || v === 'https:'), `${name} allows any origin: ${values}`);
    }
    assert.deepEqual(csp.get('style-src'), [SOURCE, `'nonce-${nonce}'`]);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, new RegExp(`\\bnonce="${nonce!.replace(/[+/=]/g, '\\$&')}"`), 'every script carries the nonce');
      assert.match(attrs!, /\bsrc="[^"]+"/, 'every script comes from the bundle');
      assert.equal(body!.trim(), '', 'no inline script');
    }
    const preloads = [...html.matchAll(/<link rel="modulepreload"([^>]*)>/g)].map(([, attrs]) => attrs!);
    assert.deepEqual(preloads.map((attrs) => /\bhref="([^"]+)"/.exec(attrs)?.[1]), preload, 'the bundle\'s chunks are preloaded');
    for (const attrs of preloads) assert.match(attrs, new RegExp(`\\bnonce="${nonce!.replace(/[+/=]/g, '\\$&')}"`), 'a preloaded chunk carries the nonce');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /<style\b/i, 'no inline stylesheet');
    assert.doesNotMatch(html, /\sstyle=/i, 'no inline style attribute');
  });
}

test('every page gets a fresh nonce', () => {
  const page = { title: 't', source: SOURCE, script: 'x.js', styles: [] };
  assert.notEqual(panelHtml(page).match(/nonce-([^']+)/)![1], panelHtml(page).match(/nonce-([^']+)/)![1]);
});
