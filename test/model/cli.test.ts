// flowbench model inspect / model try through the bundled CLI: the table, --json, exit codes, bad files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import { ensureBuilt, flowbench } from '../cli/harness';
import { embeddingModel, encode, externalDataModel, linearClassifierModel, tempDir, tensorType, value, writeModel } from './models';

before(() => ensureBuilt());

test('model inspect: signature, opsets, operators, parameters, metadata and the runtime verdict', async (t) => {
  const dir = tempDir(t);
  const file = writeModel(dir, 'embed.onnx', embeddingModel());
  const res = flowbench(dir, ['model', 'inspect', 'embed.onnx']);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.split('\n').map((l) => l.trimEnd());
  for (const expected of [
    `${file}  648 B`,
    '  IR version     8',
    '  Producer       flowbench-tests 0.1',
    '  Model version  3',
    '  Opsets         ai.onnx 13',
    '  ids      int64    [batch, seq]  token ids',
    '  scale    float32  [?]',
    '  scaled     float32  [batch, 3]',
    '  2  Mul',
    '  32 in 3 initializers, 136 B',
    '  author  tests',
    '  none (ONNX Runtime loads it and agrees on the signature)',
  ]) assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)} in\n${res.stdout}`);

  const json = flowbench(dir, ['model', 'inspect', 'embed.onnx', '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), await inspectOnnx(file));
});

test('model inspect: the ai.onnx.ml domain is named with its operators', (t) => {
  const dir = tempDir(t);
  writeModel(dir, 'linear.onnx', linearClassifierModel());
  const res = flowbench(dir, ['model', 'inspect', 'linear.onnx', '--no-runtime']);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.split('\n');
  for (const expected of [
    '  Opsets      ai.onnx 13, ai.onnx.ml 1',
    '  label               int64                    [N]',
    '  output_probability  seq(map(int64,float32))',
    '  1  ai.onnx.ml.LinearClassifier',
    '  1  ai.onnx.ml.ZipMap',
  ]) assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)} in\n${res.stdout}`);
  assert.match(res.stdout, /Problems\n {2}none\n/, 'no runtime verdict with --no-runtime');
});

test('model inspect: truncated, not ONNX, missing external data, refused by the runtime: exit 1 with the reason', (t) => {
  const dir = tempDir(t);
  writeModel(dir, 'cut.onnx', encode(embeddingModel()).subarray(0, 300));
  writeFileSync(join(dir, 'notes.onnx'), 'not a model\n');
  writeModel(dir, 'matmul.onnx', externalDataModel().model);
  const T = onnx.TensorProto.DataType;
  writeModel(dir, 'noop.onnx', {
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: { node: [{ opType: 'NoSuchOp', input: ['x'], output: ['y'] }], input: [value('x', tensorType(T.FLOAT, [2]))], output: [value('y', tensorType(T.FLOAT, [2]))] },
  });
  const cases: [string, RegExp][] = [
    ['cut.onnx', /error: the file is truncated: it has 300 bytes/],
    ['notes.onnx', /error: not an ONNX model: a text file/],
    ['matmul.onnx', /error: tensor 'W' keeps its data in 'weights\.bin', which is missing/],
    ['noop.onnx', /error: ONNX Runtime cannot load the model: .*NoSuchOp/],
  ];
  for (const [name, expected] of cases) {
    const res = flowbench(dir, ['model', 'inspect', name]);
    assert.equal(res.code, 1, `${name}: ${res.stdout}${res.stderr}`);
    assert.match(res.stdout, expected, name);
    assert.doesNotMatch(res.stdout + res.stderr, /\n\s+at /, 'no stack trace');
  }
  const usage = flowbench(dir, ['model', 'inspect']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /flowbench: FILE is missing\n {2}e\.g\. flowbench model inspect models\/model\.onnx/);
});

test('model try: given and generated inputs, outputs and latency; --json; bad input is a usage error with the signature', (t) => {
  const dir = tempDir(t);
  writeModel(dir, 'embed.onnx', embeddingModel());
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify({ ids: [[1, 2]], weights: [[1, 1]] }));
  const res = flowbench(dir, ['model', 'try', 'embed.onnx', '--input', '@inputs.json', '--fill', 'zeros']);
  assert.equal(res.code, 0, res.stderr);
  assert.ok(res.stdout.startsWith([
    'Inputs',
    '  ids      int64    [1, 2]  1, 2',
    '  weights  float32  [1, 2]  1, 1',
    '  scale    float32  [1]     0',
    '',
    'Outputs',
    '  scaled     float32  [1, 3]  0, 0, 0',
    '  ids_shape  int64    [2]     1, 2',
  ].join('\n')), res.stdout);
  assert.match(res.stdout, /Loaded in \d+(\.\d)?m?s, one inference took [\d.]+m?s\./);

  const json = flowbench(dir, ['model', 'try', 'embed.onnx', '--input', '{"ids": [[3]], "weights": [[2]], "scale": [1]}', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal(result.ok, true);
  // emb row 3 is [0.9, 1.0, 1.1], weighted 2
  assert.deepEqual(result.outputs[0].dims, [1, 3]);
  [1.8, 2, 2.2].forEach((v, i) => assert.ok(Math.abs(result.outputs[0].data[i] - v) < 1e-6));

  const bad = flowbench(dir, ['model', 'try', 'embed.onnx', '--input', '{"ids": [[1.5]]}']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /flowbench: input 'ids' value #1 is 1\.5, expected a whole number \(int64\)\n {2}the inputs: ids int64 \[batch, seq\]; weights float32 \[batch, seq\]; scale float32 \[\?\]/);
  const notJson = flowbench(dir, ['model', 'try', 'embed.onnx', '--input', '{ids: 1}']);
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /flowbench: the inputs are not valid JSON: /);
});
