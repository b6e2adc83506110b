// How the webview panels are bundled: one ES module per panel (dist/webviews/<panel>.js, with its CSS beside
// it) plus shared chunks for the code several panels use. Used by scripts/build.mjs and by the component
// test harness (test/webviews/harness.ts), so what the tests load is built as what ships.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

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

/**
 * The shared chunks an entry's bundle (`entry`, a path under `outdir`) imports statically, its imports' imports
 * included, as paths under `outdir`, from esbuild's metafile. The page preloads them beside the entry
 * (extension/panels/html.ts), so the module graph loads in one round trip instead of one per level of imports.
 */
export function staticChunks(metafile, outdir, entry) {
  const key = (file) => relative(process.cwd(), resolve(outdir, file));
  const found = new Set();
  const visit = (output) => {
    for (const i of metafile.outputs[output]?.imports ?? []) {
      if (i.kind !== 'import-statement' || found.has(i.path)) continue;
      found.add(i.path);
      visit(i.path);
    }
  };
  visit(key(entry));
  return [...found].map((path) => relative(resolve(outdir), resolve(path)).replaceAll('\\', '/'));
}

/** Bundles every panel, and writes `preload.json` (panel → its static chunks) for PanelHost. */
export async function buildWebviews({ outdir = 'dist/webviews', production = false } = {}) {
  const { metafile } = await build({ ...webviewBuildOptions({ entryPoints: PANELS, outdir, production }), metafile: true });
  const preload = Object.fromEntries(Object.keys(PANELS).map((panel) => [panel, staticChunks(metafile, outdir, `${panel}.js`)]));
  writeFileSync(join(outdir, 'preload.json'), JSON.stringify(preload));
}
