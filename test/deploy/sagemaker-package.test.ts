// The Triton package: config.pbtxt from the ONNX signature, the archive's layout, its content address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar';
import { buildPackage, PackageError, packageKey, planPackage, tritonConfig } from '../../core/deploy/sagemaker-package';
import { embeddingModel, externalDataModel, linearClassifierModel, tempDir, writeModel } from '../model/models';

function walk(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true }).flatMap((e) => {
    const rel = base ? `${base}/${e.name}` : e.name;
    return e.isDirectory() ? [`${rel}/`, ...walk(dir, rel)] : [rel];
  }).sort();
}

test('a batched classifier: the batch dim becomes max_batch_size, a batch-only output is reshaped, ZipMap is left out', async (t) => {
  const dir = tempDir(t);
  const plan = await planPackage(writeModel(dir, 'm.onnx', linearClassifierModel()), 'delay-model', 'a'.repeat(64), 'triton');
  assert.deepEqual(plan.config?.skippedOutputs, ['output_probability']);
  assert.equal(plan.config?.text, [
    'name: "delay-model"',
    'platform: "onnxruntime_onnx"',
    'max_batch_size: 64',
    'input [',
    '  {',
    '    name: "X"',
    '    data_type: TYPE_FP32',
    '    dims: [ 3 ]',
    '  }',
    ']',
    'output [',
    '  {',
    '    name: "label"',
    '    data_type: TYPE_INT64',
    '    dims: [ 1 ]',
    '    reshape: { shape: [ ] }',
    '  }',
    ']',
    'dynamic_batching { }',
    'instance_group [ { kind: KIND_AUTO } ]',
    '',
  ].join('\n'));
});

test('a tensor without a dynamic first dim: no batching, full dims with -1 for symbolic ones', () => {
  const { text } = tritonConfig('embed', {
    inputs: [{ name: 'ids', type: 'int64', shape: ['batch', 'seq'] }, { name: 'scale', type: 'float32', shape: [null] }],
    outputs: [{ name: 'scaled', type: 'float32', shape: ['batch', 3] }, { name: 'ids_shape', type: 'int64', shape: [2] }],
  });
  assert.match(text, /max_batch_size: 0\n/);
  assert.match(text, /name: "ids"\n    data_type: TYPE_INT64\n    dims: \[ -1, -1 \]/);
  assert.match(text, /name: "ids_shape"\n    data_type: TYPE_INT64\n    dims: \[ 2 \]/);
  assert.doesNotMatch(text, /dynamic_batching/);
});

test('what Triton cannot serve is refused with the reason and a remedy', () => {
  const zipOnly = { inputs: [{ name: 'X', type: 'float32', shape: ['N', 3] }], outputs: [{ name: 'p', type: 'seq(map(int64,float32))', shape: null }] };
  assert.throws(() => tritonConfig('m', zipOnly), (e: Error) => e instanceof PackageError && /no output of the model is a tensor .*zipmap': False/.test(e.message));
  assert.throws(() => tritonConfig('m', { inputs: [{ name: 'X', type: 'float32', shape: null }], outputs: [{ name: 'y', type: 'float32', shape: [1] }] }), /'X' has no known rank/);
  assert.throws(() => tritonConfig('m', { inputs: [{ name: 'm', type: 'map(string,float32)', shape: null }], outputs: [{ name: 'y', type: 'float32', shape: [1] }] }), /input 'm' is of type map\(string,float32\), which Triton cannot take/);
});

test('model.tar.gz unpacks to <name>/config.pbtxt and <name>/1/model.onnx with external data beside it', async (t) => {
  const dir = tempDir(t);
  const { model, weights } = externalDataModel();
  const file = writeModel(dir, 'matmul.onnx', model);
  writeFileSync(join(dir, 'weights.bin'), weights);
  const plan = await planPackage(file, 'mm', 'b'.repeat(64), 'triton');
  const pkg = await buildPackage(file, plan);
  t.after(() => rmSync(pkg.dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  mkdirSync(out);
  await extract({ file: pkg.file, cwd: out });
  assert.deepEqual(walk(out), ['mm/', 'mm/1/', 'mm/1/model.onnx', 'mm/1/weights.bin', 'mm/config.pbtxt']);
  assert.deepEqual(readFileSync(join(out, 'mm/1/model.onnx')), readFileSync(file));
  assert.deepEqual(readFileSync(join(out, 'mm/1/weights.bin')), weights);
  assert.equal(readFileSync(join(out, 'mm/config.pbtxt'), 'utf8'), plan.config!.text);

  const plain = await planPackage(file, 'mm', 'b'.repeat(64), 'plain');
  const plainPkg = await buildPackage(file, plain);
  t.after(() => rmSync(plainPkg.dir, { recursive: true, force: true }));
  const out2 = join(dir, 'out2');
  mkdirSync(out2);
  await extract({ file: plainPkg.file, cwd: out2 });
  assert.deepEqual(walk(out2), ['model.onnx', 'weights.bin']);
  assert.notEqual(plain.digest, plan.digest);
});

test('the content address follows the model and the config, nothing else', async (t) => {
  const dir = tempDir(t);
  const file = writeModel(dir, 'e.onnx', embeddingModel());
  const a = await planPackage(file, 'embed', 'c'.repeat(64), 'triton');
  assert.equal((await planPackage(file, 'embed', 'c'.repeat(64), 'triton')).digest, a.digest);
  assert.notEqual((await planPackage(file, 'embed', 'd'.repeat(64), 'triton')).digest, a.digest);
  assert.notEqual((await planPackage(file, 'other', 'c'.repeat(64), 'triton')).digest, a.digest, 'the model name is in config.pbtxt');
  assert.equal(packageKey('team/x', a.digest), `team/x/models/${a.digest}/model.tar.gz`);
  writeFileSync(join(dir, 'bad.onnx'), 'not onnx');
  await assert.rejects(planPackage(join(dir, 'bad.onnx'), 'x', 'e'.repeat(64), 'triton'), PackageError);
});
