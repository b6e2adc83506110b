// The one HTML page and Content-Security-Policy every panel is served with (vscode-free, so the component
// test harness serves exactly this page too).
//
// Policy: nothing by default; scripts only by nonce (the panel's bundle, an ES module whose shared chunks it
// imports inherit the nonce, and the modulepreload links of those chunks, which carry it); styles, images and
// fonts only from the bundle folder (`source`, the webview's cspSource), images also as data: URLs (chart PNG
// export). Neither eval nor inline scripts or styles are allowed.
// The toolkit's needs: its FAST web components style themselves through constructable stylesheets
// (adoptedStyleSheets), which style-src does not govern; but FAST probes `:focus-visible` support by
// inserting one <style> element, carrying the nonce it reads from <meta property="csp-nonce">. So styles
// also accept the page's nonce (never 'unsafe-inline'). The component tests fail on any CSP violation.
import { randomBytes } from 'node:crypto';

export interface PanelPage {
  title: string;
  /** The webview's cspSource (in a test: the harness server's origin). */
  source: string;
  /** The panel's module bundle and its stylesheets, as URIs the webview can load. */
  script: string;
  styles: string[];
  /** The shared chunks the bundle imports statically (scripts/webviews.mjs `staticChunks`), as URIs: fetched
   *  with the bundle instead of after it has arrived and been parsed. */
  preload?: string[];
}

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

export function panelCsp(source: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source} 'nonce-${nonce}'`,
    `img-src ${source} data:`,
    `font-src ${source}`,
  ].join('; ');
}

const escapeAttr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(page: PanelPage, nonce = newNonce()): string {
  const styles = page.styles.map((href) => `<link rel="stylesheet" href="${escapeAttr(href)}">`).join('\n');
  const preload = (page.preload ?? []).map((href) => `\n<link rel="modulepreload" href="${escapeAttr(href)}" nonce="${nonce}">`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(panelCsp(page.source, nonce))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttr(page.title)}</title>
${styles}${preload}
</head><body>
<div id="root"></div>
<script type="module" nonce="${nonce}" src="${escapeAttr(page.script)}"></script>
</body></html>`;
}
