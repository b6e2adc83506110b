import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

// The extension calls flowStatus in its own process, where a native module must never be loaded.
test('flowStatus pulls in no native module', async () => {
  const result = await build({
    entryPoints: [path.join(__dirname, '../../core/engine/status.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile!.inputs);
  assert.ok(inputs.some((i) => i.endsWith('core/engine/status.ts')));
  assert.deepEqual(inputs.filter((i) => /@duckdb|onnxruntime|\.node$/.test(i)), []);
});
