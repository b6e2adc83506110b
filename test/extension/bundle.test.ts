// The extension host reads and compiles all of dist/extension.js before activate() runs (issue 7's activation
// figure counts that). What the first view does not need lives in chunks of its own, required on first use (the
// commands and panels right after the views, libraries when a panel or a command needs them): this reads the
// built bundles (`npm test` builds first) and checks they stay out of it and can be loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const DIST = join(__dirname, '../../dist');

/** The chunks a bundle requires (paths relative to dist/), and theirs in turn. */
function chunksOf(bundle: string, found = new Set<string>()): Set<string> {
  const text = readFileSync(join(DIST, bundle), 'utf8');
  for (const m of text.matchAll(/require\("(\.\.?\/[\w./-]+\.js)"\)/g)) {
    const chunk = relative(DIST, join(DIST, dirname(bundle), m[1]!));
    if (!chunk.startsWith('lazy/') || found.has(chunk)) continue;
    found.add(chunk);
    if (existsSync(join(DIST, chunk))) chunksOf(chunk, found);
  }
  return found;
}

test('onnx-proto, protobufjs, the graph layout library, yaml, fast-glob and the panels are not in the bundle activation reads', () => {
  const text = readFileSync(join(DIST, 'extension.js'), 'utf8');
  for (const library of ['onnx-proto', 'protobufjs', '@dagrejs/dagre', 'yaml', 'fast-glob']) assert.ok(!text.includes(`node_modules/${library}/`), `${library} is bundled into dist/extension.js`);
  for (const module of ['extension/commands.ts', 'extension/panels/', 'extension/deploy-commands.ts']) assert.ok(!text.includes(`// ${module}`), `${module} is bundled into dist/extension.js`);
});

test('every chunk the extension requires exists and loads on its own, outside the editor', () => {
  const chunks = chunksOf('extension.js');
  for (const expected of ['lazy/extension-commands-wiring.js', 'lazy/core-analysis-graph-layout.js', 'lazy/core-deploy-test-request.js', 'lazy/core-model-export.js', 'lazy/yaml.js', 'lazy/fast-glob.js']) {
    assert.ok(chunks.has(expected), `${expected} is not required by the extension`);
  }
  for (const chunk of chunks) {
    assert.ok(existsSync(join(DIST, chunk)), `${chunk} is missing`);
    // The commands' chunk needs the editor's `vscode` module: it is checked by the e2e tests.
    if (chunk !== 'lazy/extension-commands-wiring.js') assert.ok(Object.keys(require(join(DIST, chunk)) as object).length > 0, `${chunk} exports nothing`);
  }
});

test('the CLI compiles only the command it runs: each is a chunk, and yaml is required only for a --set', () => {
  const cli = readFileSync(join(DIST, 'cli.js'), 'utf8');
  assert.ok(!cli.includes('// core/flow/'), 'the flow model is bundled into dist/cli.js');
  const chunks = chunksOf('cli.js');
  for (const command of ['status', 'run', 'validate', 'deploy', 'card']) assert.ok(chunks.has(`lazy/core-cli-commands-${command}.js`), `${command} is not a chunk of dist/cli.js`);
  for (const chunk of chunks) assert.ok(existsSync(join(DIST, chunk)), `${chunk} is missing`);
  const status = readFileSync(join(DIST, 'lazy/core-cli-commands-status.js'), 'utf8');
  assert.ok(!/^var \w+ = require\("\.\.\/lazy\/yaml\.js"\)/m.test(status), 'the status command loads yaml as it starts');
});
