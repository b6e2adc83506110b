// Bundles each entry point with esbuild. Native packages and `vscode` stay external:
// they are resolved at run time from node_modules (native binaries cannot be bundled).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { buildExampleProject } from './example-project.mjs';
import { buildWebviews } from './webviews.mjs';

const external = ['vscode', '@duckdb/node-api', '@duckdb/node-bindings', 'onnxruntime-node', 'better-sqlite3', 'snowflake-sdk'];
const entries = [
  { in: 'core/cli/main.ts', out: 'cli' },
  { in: 'language-server/server.ts', out: 'server' },
  { in: 'extension/main.ts', out: 'extension', extension: true },
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
/** The CLI loads core/aws/services.ts at run time, from the bundle in dist/ (`from`: the way there). */
const awsServicesAtRunTime = (from) => ({
  name: 'aws-services-at-run-time',
  setup(b) {
    b.onResolve({ filter: /\/aws\/services$/ }, () => ({ path: `${from}aws-services.js`, external: true }));
  },
});
/**
 * The extension host reads and compiles all of dist/extension.js before activate() runs. Code the extension
 * reaches only through `await import()` (its commands and panels, the test request with onnx-proto, the model
 * card's export) is bundled on its own into dist/lazy/ and required on first use, so activation does not pay for
 * it; a chunk's own `await import()`s become chunks too. `from`: the way from the bundle to dist/lazy/.
 */
function lazyChunks(found, from) {
  return {
    name: 'lazy-chunks',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const base = join(args.resolveDir, args.path);
        const file = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => existsSync(f));
        if (!file) return undefined;
        const name = relative(process.cwd(), file).replace(/\.tsx?$/, '').replaceAll('/', '-');
        found.set(name, { file, extension: true });
        return { path: `${from}${name}.js`, external: true };
      });
    },
  };
}
/**
 * Libraries the code requires only on first use: `yaml` for a flow file the fast reader declines (and MLflow's
 * files), `fast-glob` for the first glob a source names. Each is bundled once into dist/lazy/ and required from
 * there, so the bundles that start a process (the extension host compiles all of dist/extension.js before
 * activate(); every `flowbench` command compiles dist/cli.js) do not parse them. `from`: the way to dist/.
 */
const LAZY_PACKAGES = ['yaml', 'fast-glob'];
const lazyPackages = (from) => ({
  name: 'lazy-packages',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${LAZY_PACKAGES.join('|')})$`) }, (args) => ({ path: `${from}lazy/${args.path}.js`, external: true }));
  },
});
/** core/cli/main.ts requires each command when it runs: each is bundled on its own into dist/lazy/. */
function cliCommands(found) {
  return {
    name: 'cli-commands',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[\w-]+$/ }, (args) => {
        if (args.kind !== 'require-call' || !args.importer.endsWith(join('core', 'cli', 'main.ts'))) return undefined;
        const file = `${join(args.resolveDir, args.path)}.ts`;
        const name = relative(process.cwd(), file).replace(/\.ts$/, '').replaceAll('/', '-');
        found.set(name, { file, extension: false });
        return { path: `./lazy/${name}.js`, external: true };
      });
    },
  };
}
const production = process.argv.includes('--production');

mkdirSync('dist', { recursive: true });
rmSync('dist/lazy', { recursive: true, force: true });
const lazy = new Map();
async function bundle(entry) {
  const inLazy = entry.out.startsWith('lazy/');
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
    // `import()` becomes a require of the chunk: the extension host resolves `vscode` for required code.
    supported: entry.extension ? { 'dynamic-import': false } : undefined,
    plugins: [
      ...(entry.package ? [] : [lazyPackages(inLazy ? '../' : './')]),
      ...(entry.out === 'extension' ? [languageClientAtRunTime] : []),
      ...(entry.extension ? [lazyChunks(lazy, inLazy ? './' : './lazy/')] : []),
      ...(entry.out === 'aws-services' || entry.package || entry.out === 'extension' ? [] : [awsServicesAtRunTime(inLazy ? '../' : './')]),
      ...(entry.out === 'cli' ? [cliCommands(lazy)] : []),
    ],
    logLevel: 'warning',
    banner: entry.out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
for (const entry of entries) await bundle(entry);
// The chunks the extension's and the CLI's builds found, and the chunks those found.
for (const built = new Set(); built.size < lazy.size; ) {
  for (const [name, chunk] of [...lazy].filter(([name]) => !built.has(name))) {
    built.add(name);
    await bundle({ in: chunk.file, out: `lazy/${name}`, extension: chunk.extension });
  }
}
for (const name of LAZY_PACKAGES) await bundle({ in: createRequire(import.meta.url).resolve(name), out: `lazy/${name}`, package: true });
cpSync('core/flow/flow.schema.json', 'dist/flow.schema.json');
// Chunk names carry content hashes: start clean so stale chunks never ship.
rmSync('dist/webviews', { recursive: true, force: true });
await buildWebviews({ production });
await buildExampleProject('dist/example', production);
