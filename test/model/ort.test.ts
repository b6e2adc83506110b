// The ONNX Runtime side, in real worker processes: the cross-check of names and types, "Try it" inferences
// on generated and given inputs, and what happens when the runtime refuses a model or takes too long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import { askOrt } from '../../core/model/ort-client';
import { compare, runtimeProblems } from '../../core/model/ort-check';
import { tryFeeds, TryInputError } from '../../core/model/try-inputs';
import { tryModel } from '../../core/model/try-model';
import { embeddingModel, externalDataModel, linearClassifierModel, tempDir, tensorType, value, writeModel } from './models';

const T = onnx.TensorProto.DataType;

test('ONNX Runtime agrees with the inspection on varied models', async (t) => {
  const dir = tempDir(t);
  const { model, weights } = externalDataModel();
  writeFileSync(join(dir, 'weights.bin'), weights);
  for (const file of [writeModel(dir, 'embed.onnx', embeddingModel()), writeModel(dir, 'linear.onnx', linearClassifierModel()), writeModel(dir, 'matmul.onnx', model)]) {
    assert.deepEqual(await runtimeProblems(await inspectOnnx(file)), [], file);
  }
});

test('a model ONNX Runtime cannot load is an error with its reason', async (t) => {
  const file = writeModel(tempDir(t), 'bad.onnx', {
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: { node: [{ opType: 'NoSuchOp', input: ['x'], output: ['y'] }], input: [value('x', tensorType(T.FLOAT, [2]))], output: [value('y', tensorType(T.FLOAT, [2]))] },
  });
  const inspection = await inspectOnnx(file);
  assert.deepEqual(inspection.problems, [], 'the file itself is well formed');
  const problems = await runtimeProblems(inspection);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.severity, 'error');
  assert.match(problems[0]!.message, /^ONNX Runtime cannot load the model: .*No Op registered for NoSuchOp/);
});

test('names, types and shapes that differ from the runtime are reported', () => {
  const declared = [
    { name: 'a', type: 'float32', shape: ['N', 3] },
    { name: 'b', type: 'int64', shape: [2] },
    { name: 'c', type: 'seq(map(int64,float32))', shape: null },
    { name: 'gone', type: 'float32', shape: null },
  ];
  const runtime = [
    { name: 'a', isTensor: true, type: 'float32', shape: ['N', 4] },
    { name: 'b', isTensor: true, type: 'int32', shape: [2] },
    { name: 'c', isTensor: true, type: 'float32', shape: [] },
    { name: 'extra', isTensor: true, type: 'float32', shape: [] },
  ];
  assert.deepEqual(compare('input', declared, runtime), [
    { severity: 'error', message: "ONNX Runtime sees an input 'extra' the graph does not declare" },
    { severity: 'warning', message: "input 'a': shape [N, 3] in the file, [N, 4] in ONNX Runtime" },
    { severity: 'error', message: "input 'b' is int64 in the file, ONNX Runtime makes it int32" },
    { severity: 'error', message: "input 'c' is seq(map(int64,float32)) in the file, ONNX Runtime makes it float32" },
    { severity: 'error', message: "the graph declares input 'gone', ONNX Runtime does not see it" },
  ]);
  // an unknown dim is '' in the runtime, null in the inspection: the same thing
  assert.deepEqual(compare('output', [{ name: 'x', type: 'float32', shape: [null, 2] }], [{ name: 'x', isTensor: true, type: 'float32', shape: ['', 2] }]), []);
});

test('Try it: given int64 ids run through a real inference; the others are generated with the bound symbolic dims', async (t) => {
  const inspection = await inspectOnnx(writeModel(tempDir(t), 'embed.onnx', embeddingModel()));
  // emb row i is [3i, 3i+1, 3i+2] / 10: ids 1 and 2 weighted 1 each, times 2
  const given = await tryModel(inspection, { inputs: { ids: [[1, 2]], weights: [[1, 1]], scale: [2] } });
  assert.ok(given.ok, JSON.stringify(given));
  const [scaled, shape] = given.outputs;
  assert.deepEqual({ ...scaled, data: [] }, { name: 'scaled', type: 'float32', dims: [1, 3], data: [], total: 3 });
  [1.8, 2.2, 2.6].forEach((v, i) => assert.ok(Math.abs((scaled!.data[i] as number) - v) < 1e-6, `${scaled!.data[i]} ≈ ${v}`));
  assert.deepEqual(shape, { name: 'ids_shape', type: 'int64', dims: [2], data: [1, 2], total: 2 });
  assert.ok(given.runMs >= 0 && given.loadMs >= 0);

  // Two rows of three ids fix batch = 2 and seq = 3: the generated weights follow; zeros fill them.
  const bound = await tryModel(inspection, { inputs: { ids: [[0, 1, 2], [3, 4, 5]] }, fill: 'zeros' });
  assert.ok(bound.ok, JSON.stringify(bound));
  assert.deepEqual(bound.feeds.map((f) => [f.name, f.dims]), [['ids', [2, 3]], ['weights', [2, 3]], ['scale', [1]]]);
  assert.deepEqual(bound.outputs[0], { name: 'scaled', type: 'float32', dims: [2, 3], data: [0, 0, 0, 0, 0, 0], total: 6 });
});

test('Try it on an ai.onnx.ml classifier: the label tensor comes back, the ZipMap sequence is listed as skipped', async (t) => {
  const inspection = await inspectOnnx(writeModel(tempDir(t), 'linear.onnx', linearClassifierModel()));
  const result = await tryModel(inspection, { inputs: { X: [[1, 0, 0], [0, 0, 1]] } });
  assert.ok(result.ok, JSON.stringify(result));
  // coefficients per class [0.5, -1, 2] and [-0.5, 1, -2], intercepts ±0.1:
  // row [1, 0, 0] scores 0.6 vs -0.6 → class 0; row [0, 0, 1] 2.1 vs -2.1 → class 0
  assert.deepEqual(result.outputs, [{ name: 'label', type: 'int64', dims: [2], data: [0, 0], total: 2 }]);
  assert.deepEqual(result.skipped, [{ name: 'output_probability', type: 'seq(map(int64,float32))' }]);
  const flipped = await tryModel(inspection, { inputs: { X: [[0, 1, 0]] } });
  assert.ok(flipped.ok);
  assert.deepEqual(flipped.outputs[0]!.data, [1], 'row [0, 1, 0] scores -0.9 vs 0.9 → class 1');
});

test('generated inputs: symbolic and unknown dims are 1, values seeded, types respected', () => {
  const inputs = [
    { name: 'ids', type: 'int64', shape: ['batch', 4] },
    { name: 'x', type: 'float32', shape: [null, 2] },
    { name: 'flags', type: 'bool', shape: [3] },
    { name: 'words', type: 'string', shape: null },
  ];
  const feeds = tryFeeds(inputs, {}, 'random', 5);
  assert.deepEqual(feeds.map((f) => [f.name, f.type, f.dims]), [['ids', 'int64', [1, 4]], ['x', 'float32', [1, 2]], ['flags', 'bool', [3]], ['words', 'string', [1]]]);
  assert.ok(feeds[0]!.data.every((v) => v === 0 || v === 1));
  assert.ok(feeds[1]!.data.every((v) => typeof v === 'number' && v >= 0 && v < 1));
  assert.ok(feeds[2]!.data.every((v) => typeof v === 'boolean'));
  assert.deepEqual(tryFeeds(inputs, {}, 'random', 5), feeds, 'the same seed gives the same feeds');
  assert.notDeepEqual(tryFeeds(inputs, {}, 'random', 6)[1]!.data, feeds[1]!.data);
  assert.deepEqual(tryFeeds(inputs, {}, 'zeros').map((f) => f.data[0]), [0, 0, false, '']);
  assert.deepEqual(tryFeeds(inputs, { x: { dims: [2, 2], data: [1, 2, 3, 4] } })[1], { name: 'x', type: 'float32', dims: [2, 2], data: [1, 2, 3, 4] });
});

test('given inputs that do not fit the signature are errors naming the input and the place', () => {
  const inputs = [
    { name: 'ids', type: 'int64', shape: ['batch', 2] },
    { name: 'mask', type: 'float32', shape: ['batch', 2] },
    { name: 'pairs', type: 'seq(float32)', shape: null },
  ];
  const sig = inputs.slice(0, 2);
  const cases: [Parameters<typeof tryFeeds>[0], Record<string, unknown>, string][] = [
    [sig, { idz: [[1, 2]] }, "the model has no input 'idz'; its inputs are ids, mask"],
    [sig, { ids: [[1, 2], [3]] }, "input 'ids': ids[1] has 1 entries, expected 2 like its first sibling"],
    [sig, { ids: [1, 2] }, "input 'ids' has 1 dims [2], the model expects 2: [batch, 2]"],
    [sig, { ids: [[1, 2, 3]] }, "input 'ids' dim 1 is 3, the model fixes it at 2"],
    [sig, { ids: [[1, 2.5]] }, "input 'ids' value #2 is 2.5, expected a whole number (int64)"],
    [sig, { mask: [['a', 1]] }, 'input \'mask\' value #1 is "a", expected a number'],
    [sig, { ids: [[1, 2]], mask: [[1, 1], [1, 1]] }, "input 'mask' dim 0 ('batch') is 2, another input already made 'batch' 1"],
    [sig, { ids: { dims: [2, 2], data: [1, 2, 3] } }, "input 'ids': 3 values for dims [2, 2], which need 4"],
    [inputs, {}, "input 'pairs' is seq(float32): Try it feeds tensors of numbers, booleans or strings only"],
  ];
  for (const [signature, user, message] of cases) assert.throws(() => tryFeeds(signature, user), (err: Error) => err instanceof TryInputError && err.message === message, message);
});

test('a worker that does not answer in time is stopped and reported', async (t) => {
  const file = writeModel(tempDir(t), 'embed.onnx', embeddingModel());
  // No Node process starts, let alone loads ONNX Runtime, within a millisecond.
  const answer = await askOrt({ op: 'metadata', file }, 1);
  assert.deepEqual(answer, { ok: false, error: 'ONNX Runtime did not answer within 0.001 s (stopped it)' });
});
