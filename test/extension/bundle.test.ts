// The extension host reads and compiles all of dist/extension.js before activate() runs (issue 7's activation
// figure counts that). Libraries only a panel or a command needs live in chunks of their own, required on first
// use: this reads the built bundle (`npm test` builds first) and checks they stay out of it and can be loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(__dirname, '../../dist');

test('onnx-proto, protobufjs and the graph layout library are not in the bundle activation reads', () => {
  const text = readFileSync(join(DIST, 'extension.js'), 'utf8');
  for (const library of ['onnx-proto', 'protobufjs', '@dagrejs/dagre']) assert.ok(!text.includes(`node_modules/${library}/`), `${library} is bundled into dist/extension.js`);
});

test('every chunk the bundle requires exists and loads on its own, outside the editor', () => {
  const text = readFileSync(join(DIST, 'extension.js'), 'utf8');
  const chunks = [...new Set([...text.matchAll(/require\("\.\/(lazy\/[\w.-]+\.js)"\)/g)].map((m) => m[1]))];
  for (const expected of ['lazy/core-analysis-graph-layout.js', 'lazy/core-deploy-test-request.js', 'lazy/core-model-export.js']) assert.ok(chunks.includes(expected), `${expected} is not required by the bundle`);
  for (const chunk of chunks) {
    assert.ok(existsSync(join(DIST, chunk)), `${chunk} is missing`);
    assert.ok(Object.keys(require(join(DIST, chunk)) as object).length > 0, `${chunk} exports nothing`);
  }
});
