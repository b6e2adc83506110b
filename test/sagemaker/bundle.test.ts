// The generated job script, run here with /bin/sh as the container would run it: the project tree is rebuilt
// from content-addressed objects (odd file names included, every value quoted), the command runs in its cwd
// with the FLOWBENCH_* variables, and the outs land in the output folder even when the command failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Text } from '../../core/engine/hasher';
import { jobScript } from '../../core/sagemaker/bundle';

test('the job script rebuilds the tree, runs the command quoted as written, and keeps the outs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const input = join(dir, 'in');
  const output = join(dir, 'out');
  mkdirSync(input);
  mkdirSync(output);
  const files: Record<string, string> = { "data/it's $HOME `x`.txt": 'odd\n', 'src/run.sh': 'echo "$FLOWBENCH_PARAM_NAME" > ../result/name.txt\n' };
  const tree: Record<string, string> = {};
  for (const [rel, text] of Object.entries(files)) {
    tree[rel] = sha256Text(text);
    writeFileSync(join(input, tree[rel]!), text);
  }
  const command = `mkdir -p ../result && sh run.sh && cat "../data/it's \\$HOME \\\`x\\\`.txt" > ../result/copy.txt && printf '%s' "$FLOWBENCH_INPUT_FEATURES" > ../result/input.txt && exit 4`;
  const script = jobScript({ tree, inputs: { features: '.flowbench/tables/features.parquet' }, command, cwd: 'src', outs: ['result/', 'missing.txt'], params: new Map([['name', "o'brien; rm -rf /"]]), step: 'train' });
  writeFileSync(join(dir, 'job.sh'), script);
  const res = spawnSync('/bin/sh', [join(dir, 'job.sh'), input, output], { encoding: 'utf8', env: { PATH: process.env.PATH, TMPDIR: dir } });
  assert.equal(res.status, 4, res.stderr);
  assert.equal(readFileSync(join(output, 'result/name.txt'), 'utf8'), "o'brien; rm -rf /\n");
  assert.equal(readFileSync(join(output, 'result/copy.txt'), 'utf8'), 'odd\n');
  assert.match(readFileSync(join(output, 'result/input.txt'), 'utf8'), /\/\.flowbench\/tables\/features\.parquet$/);
  assert.throws(() => readFileSync(join(output, 'missing.txt')), 'an out the command did not write is simply absent');
});
