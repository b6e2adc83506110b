// How the webview panels are bundled: one ES module per panel (dist/webviews/<panel>.js, with its CSS beside
// it) plus shared chunks for the code several panels use. Used by scripts/build.mjs and by the component
// test harness (test/webviews/harness.ts), so what the tests load is built as what ships.
import { build } from 'esbuild';

/** Panel name → entry; the name is what extension/panels asks PanelHost to serve. */
export const PANELS = { experiments: 'webviews/experiments/index.tsx', graph: 'webviews/flow-graph/index.tsx', card: 'webviews/model-card/index.tsx', monitor: 'webviews/endpoint-monitor/index.tsx', preview: 'webviews/sql-preview/index.tsx' };

export function webviewBuildOptions({ entryPoints, outdir, production = false }) {
  return {
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    loader: { '.css': 'css', '.svg': 'file', '.woff2': 'file' },
    chunkNames: 'shared/[name]-[hash]',
    sourcemap: production ? false : 'linked',
    minify: production,
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    logLevel: 'warning',
  };
}

export function buildWebviews({ outdir = 'dist/webviews', production = false } = {}) {
  return build(webviewBuildOptions({ entryPoints: PANELS, outdir, production }));
}
