// Bundles each entry point with esbuild. Native packages and `vscode` stay external:
// they are resolved at run time from node_modules (native binaries cannot be bundled).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { buildExampleProject } from './example-project.mjs';
import { buildWebviews } from './webviews.mjs';

const external = ['vscode', '@duckdb/node-api', '@duckdb/node-bindings', 'onnxruntime-node', 'better-sqlite3'];
const entries = [
  { in: 'core/cli/main.ts', out: 'cli' },
  { in: 'language-server/server.ts', out: 'server' },
  { in: 'extension/main.ts', out: 'extension' },
];
const production = process.argv.includes('--production');

mkdirSync('dist', { recursive: true });
for (const entry of entries) {
  await build({
    entryPoints: [entry.in],
    outfile: `dist/${entry.out}.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    external,
    logLevel: 'warning',
    banner: entry.out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
cpSync('core/flow/flow.schema.json', 'dist/flow.schema.json');
// Chunk names carry content hashes: start clean so stale chunks never ship.
rmSync('dist/webviews', { recursive: true, force: true });
await buildWebviews({ production });
await buildExampleProject('dist/example', production);
