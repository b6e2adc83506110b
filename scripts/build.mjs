// Bundles each entry point with esbuild. Native packages and `vscode` stay external:
// they are resolved at run time from node_modules (native binaries cannot be bundled).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { buildExampleProject } from './example-project.mjs';
import { buildWebviews } from './webviews.mjs';

const external = ['vscode', '@duckdb/node-api', '@duckdb/node-bindings', 'onnxruntime-node', 'better-sqlite3', 'snowflake-sdk'];
const entries = [
  { in: 'core/cli/main.ts', out: 'cli' },
  { in: 'language-server/server.ts', out: 'server' },
  { in: 'extension/main.ts', out: 'extension' },
  // Its own bundle: the language client and its protocol libraries are most of the extension's code, and the
  // extension host parses dist/extension.js before activate() runs, so keeping them out halves activation.
  { in: 'extension/language-client.ts', out: 'language-client' },
  // ONNX Runtime runs only in this worker process (core/model/ort-client.ts spawns it).
  { in: 'core/model/ort-worker.ts', out: 'ort-worker' },
  // The local model endpoint, a detached process of its own (core/deploy/local-deploy.ts starts it).
  { in: 'core/deploy/endpoint-server.ts', out: 'endpoint-server' },  // The AWS SDK and what uses it, loaded by the CLI only when a step or a deploy needs AWS (core/aws/services.ts).
  { in: 'core/aws/services.ts', out: 'aws-services' },
];
/** extension/main.ts requires the language client at run time, after activation, from the bundle beside it. */
const languageClientAtRunTime = {
  name: 'language-client-at-run-time',
  setup(b) {
    b.onResolve({ filter: /^\.\/language-client$/ }, () => ({ path: './language-client.js', external: true }));
  },
};
/** The CLI loads core/aws/services.ts at run time, from the bundle beside it. */
const awsServicesAtRunTime = {
  name: 'aws-services-at-run-time',
  setup(b) {
    b.onResolve({ filter: /\/aws\/services$/ }, () => ({ path: './aws-services.js', external: true }));
  },
};
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
    plugins: entry.out === 'extension' ? [languageClientAtRunTime] : entry.out === 'aws-services' ? [] : [awsServicesAtRunTime],
    logLevel: 'warning',
    banner: entry.out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
cpSync('core/flow/flow.schema.json', 'dist/flow.schema.json');
// Chunk names carry content hashes: start clean so stale chunks never ship.
rmSync('dist/webviews', { recursive: true, force: true });
await buildWebviews({ production });
await buildExampleProject('dist/example', production);
