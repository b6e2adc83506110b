// inspectOnnx on models written here with onnx-proto, checked field by field; bad files come back as
// problems, never as exceptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { onnx } from 'onnx-proto';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import type { OnnxInspection } from '../../core/model/onnx-types';
import { encodeClassifier } from '../../examples/flight-delays/steps/lib/onnx-model.mjs';
import { encode as encodeFeatures, featureNames, fitEncoder, normalization } from '../../examples/flight-delays/steps/lib/features.mjs';
import { seededRandom, trainClassifier } from '../../examples/flight-delays/steps/lib/classifier.mjs';
import { embeddingModel, encode, externalDataModel, floats, linearClassifierModel, tempDir, tensorType, value, writeModel } from './models';

const T = onnx.TensorProto.DataType;
const errors = (m: OnnxInspection) => m.problems.filter((p) => p.severity === 'error').map((p) => p.message);

test('multiple inputs and outputs, int64 ids, symbolic and unknown dims, metadata: every field', async (t) => {
  const dir = tempDir(t);
  const file = writeModel(dir, 'embed.onnx', embeddingModel());
  const m = await inspectOnnx(file);
  assert.deepEqual(m, {
    file,
    size: readFileSync(file).length,
    irVersion: 8,
    producerName: 'flowbench-tests',
    producerVersion: '0.1',
    domain: 'ai.flowbench.test',
    modelVersion: 3,
    docString: 'Weighted mean of embeddings',
    graphName: 'embed',
    opsets: [{ domain: 'ai.onnx', version: 13 }],
    inputs: [
      { name: 'ids', type: 'int64', shape: ['batch', 'seq'], doc: 'token ids' },
      { name: 'weights', type: 'float32', shape: ['batch', 'seq'] },
      { name: 'scale', type: 'float32', shape: [null] },
    ],
    outputs: [
      { name: 'scaled', type: 'float32', shape: ['batch', 3] },
      { name: 'ids_shape', type: 'int64', shape: [2] },
    ],
    metadata: { author: 'tests', task: 'embedding' },
    operators: [
      { domain: 'ai.onnx', op: 'Mul', count: 2 },
      { domain: 'ai.onnx', op: 'Gather', count: 1 },
      { domain: 'ai.onnx', op: 'ReduceSum', count: 1 },
      { domain: 'ai.onnx', op: 'Shape', count: 1 },
      { domain: 'ai.onnx', op: 'Unsqueeze', count: 1 },
    ],
    // emb [10, 3] float32 (120 bytes) and two int64 [1] axes (8 bytes each)
    initializers: 3,
    parameters: 32,
    parameterBytes: 136,
    externalData: [],
    problems: [],
  });
});

test('the ai.onnx.ml domain: LinearClassifier and ZipMap, a sequence-of-maps output', async (t) => {
  const m = await inspectOnnx(writeModel(tempDir(t), 'linear.onnx', linearClassifierModel()));
  assert.deepEqual(m.opsets, [{ domain: 'ai.onnx', version: 13 }, { domain: 'ai.onnx.ml', version: 1 }]);
  assert.deepEqual(m.inputs, [{ name: 'X', type: 'float32', shape: ['N', 3] }]);
  assert.deepEqual(m.outputs, [
    { name: 'label', type: 'int64', shape: ['N'] },
    { name: 'output_probability', type: 'seq(map(int64,float32))', shape: null },
  ]);
  assert.deepEqual(m.operators, [
    { domain: 'ai.onnx.ml', op: 'LinearClassifier', count: 1 },
    { domain: 'ai.onnx.ml', op: 'ZipMap', count: 1 },
  ]);
  assert.equal(m.producerName, 'skl2onnx-like');
  assert.equal(m.modelVersion, undefined);
  assert.equal(m.initializers, 0);
  assert.deepEqual(m.problems, []);
});

test('other types and shapes: rank unknown, optional, sparse, bool, string, float16; IR 3 initializers listed as inputs', async (t) => {
  const model = encode({
    irVersion: 3,
    opsetImport: [{ domain: '', version: 9 }],
    graph: {
      initializer: [floats('w', [2], [1, 2])],
      node: [{ opType: 'Identity', input: ['a'], output: ['b'] }],
      input: [
        value('a', tensorType(T.FLOAT, null)),
        value('w', tensorType(T.FLOAT, [2])),
        value('flags', tensorType(T.BOOL, [4])),
        value('words', tensorType(T.STRING, ['n'])),
        value('half', tensorType(T.FLOAT16, [1, 2, 3])),
        value('maybe', { optionalType: { elemType: tensorType(T.INT32, [1]) } }),
        value('sparse', { sparseTensorType: { elemType: T.DOUBLE, shape: { dim: [{ dimValue: 100 }, { dimParam: 'k' }] } } }),
        value('scalar', tensorType(T.INT8, [])),
      ],
      output: [value('b', tensorType(T.FLOAT, null))],
    },
  });
  const m = await inspectOnnx(writeModel(tempDir(t), 'types.onnx', model));
  assert.deepEqual(m.inputs, [
    { name: 'a', type: 'float32', shape: null },
    { name: 'flags', type: 'bool', shape: [4] },
    { name: 'words', type: 'string', shape: ['n'] },
    { name: 'half', type: 'float16', shape: [1, 2, 3] },
    { name: 'maybe', type: 'optional(int32)', shape: null },
    { name: 'sparse', type: 'sparse_tensor(float64)', shape: [100, 'k'] },
    { name: 'scalar', type: 'int8', shape: [] },
  ]);
  assert.equal(m.irVersion, 3);
  assert.equal(m.initializers, 1);
  assert.deepEqual(m.problems, []);
});

test('operators inside control-flow subgraphs are counted; an op of a domain without an opset is an error', async (t) => {
  const branch = (op: string): onnx.IGraphProto => ({ name: op, node: [{ opType: op, input: ['x'], output: ['y'] }], output: [value('y', tensorType(T.FLOAT, [1]))] });
  const A = onnx.AttributeProto.AttributeType;
  const model = encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      node: [
        { opType: 'If', input: ['cond'], output: ['y'], attribute: [{ name: 'then_branch', type: A.GRAPH, g: branch('Relu') }, { name: 'else_branch', type: A.GRAPH, g: branch('Neg') }] },
        { opType: 'Custom', domain: 'com.example', input: ['y'], output: ['z'] },
      ],
      input: [value('cond', tensorType(T.BOOL, [])), value('x', tensorType(T.FLOAT, [1]))],
      output: [value('z', tensorType(T.FLOAT, [1]))],
    },
  });
  const m = await inspectOnnx(writeModel(tempDir(t), 'if.onnx', model));
  assert.deepEqual(m.operators, [
    { domain: 'ai.onnx', op: 'If', count: 1 },
    { domain: 'ai.onnx', op: 'Neg', count: 1 },
    { domain: 'ai.onnx', op: 'Relu', count: 1 },
    { domain: 'com.example', op: 'Custom', count: 1 },
  ]);
  assert.deepEqual(errors(m), ["operators of domain 'com.example' (Custom) are used, but the model imports no opset for it"]);
});

test('external data in a side file: location, offset, length; missing and short files are errors', async (t) => {
  const dir = tempDir(t);
  const { model, weights } = externalDataModel();
  const file = writeModel(dir, 'matmul.onnx', model);
  writeFileSync(join(dir, 'weights.bin'), weights);
  const m = await inspectOnnx(file);
  assert.deepEqual(m.externalData, [{ tensor: 'W', location: 'weights.bin', offset: 16, length: 32, missing: false }]);
  assert.equal(m.initializers, 1);
  assert.equal(m.parameters, 8);
  assert.equal(m.parameterBytes, 32);
  assert.deepEqual(m.problems, []);

  writeFileSync(join(dir, 'weights.bin'), weights.subarray(0, 40));
  assert.deepEqual(errors(await inspectOnnx(file)), ["tensor 'W' reads bytes 16–48 of 'weights.bin', which has only 40 bytes"]);

  mkdirSync(join(dir, 'elsewhere'));
  const moved = writeModel(join(dir, 'elsewhere'), 'matmul.onnx', model);
  const missing = await inspectOnnx(moved);
  assert.deepEqual(missing.externalData, [{ tensor: 'W', location: 'weights.bin', offset: 16, length: 32, missing: true }]);
  assert.deepEqual(errors(missing), [`tensor 'W' keeps its data in 'weights.bin', which is missing (looked for ${join(dir, 'elsewhere', 'weights.bin')}): copy it next to the model`]);
  // everything else is still read
  assert.deepEqual(missing.inputs, [{ name: 'X', type: 'float32', shape: ['N', 4] }]);
});

test('raw_data that does not fit its shape, and a negative dim, are errors', async (t) => {
  const bad = floats('w', [3], [1, 2]);
  const model = encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { initializer: [bad], node: [], output: [value('w', tensorType(T.FLOAT, [3]))] } });
  const m = await inspectOnnx(writeModel(tempDir(t), 'short.onnx', model));
  assert.deepEqual(errors(m), ["initializer 'w' [3] of float32: raw_data holds 8 bytes, its shape needs 12"]);

  const negative = encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { initializer: [{ ...floats('v', [1], [1]), dims: [-1] }], node: [] } });
  assert.deepEqual(errors(await inspectOnnx(writeModel(tempDir(t), 'negative.onnx', negative))), ["initializer 'v' has a negative or impossibly large dimension"]);
});

/** Three 100 KB initializers, so the walk refills its 64 KiB buffer and seeks across them. */
function bigModel(): Uint8Array {
  const init = [0, 1, 2].map((i) => floats(`w${i}`, [25_000], Array.from({ length: 25_000 }, (_, j) => j * i)));
  return encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      initializer: init,
      node: [{ opType: 'Add', input: ['x', 'w0'], output: ['y'] }],
      input: [value('x', tensorType(T.FLOAT, [25_000]))],
      output: [value('y', tensorType(T.FLOAT, [25_000]))],
    },
  });
}

test('initializers larger than the read buffer are skipped, and what follows them is read', async (t) => {
  const m = await inspectOnnx(writeModel(tempDir(t), 'big.onnx', bigModel()));
  assert.equal(m.initializers, 3);
  assert.equal(m.parameters, 75_000);
  assert.equal(m.parameterBytes, 300_000);
  assert.deepEqual(m.inputs, [{ name: 'x', type: 'float32', shape: [25_000] }]);
  assert.deepEqual(m.outputs, [{ name: 'y', type: 'float32', shape: [25_000] }]);
  assert.deepEqual(m.problems, []);
});

test('a truncated file: a clear error at every cut, what precedes the cut is kept', async (t) => {
  const dir = tempDir(t);
  const bytes = bigModel();
  // Inside the second initializer's data: the graph and the first initializer are already read.
  const cut = writeModel(dir, 'cut.onnx', bytes.subarray(0, 150_000));
  const m = await inspectOnnx(cut);
  assert.equal(m.irVersion, 8);
  assert.equal(m.initializers, 1);
  const [message, ...rest] = errors(m);
  assert.match(message!, /^the file is truncated: it has 150000 bytes, but the model's data runs to byte \d+ at least/);
  assert.deepEqual(rest, [], 'no follow-on errors about what the cut removed');

  // Every cut point of a small model: never a throw, and an error unless the cut fell between two of the
  // metadata entries that end the file (what is left is then a valid model with less metadata).
  const small = encode(embeddingModel());
  for (let n = 1; n < small.length; n++) {
    const file = writeModel(dir, 'small.onnx', small.subarray(0, n));
    const r = await inspectOnnx(file);
    assert.ok(errors(r).length > 0 || Object.keys(r.metadata).length < 2, `cut at ${n} of ${small.length} bytes gives an error`);
  }
});

test('a damaged byte anywhere never makes the inspection throw', async (t) => {
  const dir = tempDir(t);
  const bytes = encode(embeddingModel());
  for (let i = 0; i < bytes.length; i++) {
    for (const flip of [0xff, 0x80]) {
      const damaged = Uint8Array.from(bytes);
      damaged[i] ^= flip;
      const m = await inspectOnnx(writeModel(dir, 'damaged.onnx', damaged));
      assert.ok(Array.isArray(m.problems) && typeof m.irVersion === 'number', `byte ${i} ^ ${flip}`);
    }
  }
});

test('not ONNX: empty, text, ZIP (a PyTorch checkpoint), random bytes, a folder, no file', async (t) => {
  const dir = tempDir(t);
  const cases: [string, Uint8Array | null, RegExp][] = [
    ['empty.onnx', new Uint8Array(0), /^the file is empty \(0 bytes\)/],
    ['notes.onnx', new TextEncoder().encode('name,value\nx,1\n'), /^not an ONNX model: a text file\. Export the model to ONNX first/],
    ['model.pt', Buffer.from('PK\x03\x04\x14\x00\x00\x00archive/data.pkl', 'latin1'), /^not an ONNX model: a ZIP archive \(as PyTorch/],
    ['model.h5', Buffer.from('\x89HDF\r\n\x1a\n\x00\x00\x00\x00', 'latin1'), /^not an ONNX model: an HDF5 file/],
    ['noise.onnx', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251 | 0x80), /^not an ONNX model: its bytes are not an ONNX ModelProto/],
  ];
  for (const [name, bytes, expected] of cases) {
    const m = await inspectOnnx(writeModel(dir, name, bytes!));
    assert.equal(m.problems.length, 1, `${name}: ${JSON.stringify(m.problems)}`);
    assert.equal(m.problems[0]!.severity, 'error');
    assert.match(m.problems[0]!.message, expected, name);
  }
  assert.match(errors(await inspectOnnx(dir))[0]!, /is not a file but a folder/);
  assert.deepEqual(errors(await inspectOnnx(join(dir, 'absent.onnx'))), [`cannot read ${join(dir, 'absent.onnx')}: no such file`]);
});

test("the example's model, built by its own training code, with the metadata train.mjs writes", async (t) => {
  const spec = JSON.parse(readFileSync(join(__dirname, '../../examples/flight-delays/steps/feature-spec.json'), 'utf8')) as { features: { column: string; kind: 'numeric' | 'onehot'; top?: number }[] };
  const random = seededRandom(3);
  const rows = 300;
  const columns: Record<string, unknown[]> = {};
  for (const f of spec.features) columns[f.column] = Array.from({ length: rows }, () => (f.kind === 'numeric' ? random() * 10 : String(Math.floor(random() * 5))));
  const labels = Array.from({ length: rows }, () => (random() < 0.3 ? 1 : 0));
  const table = { rows, columns };
  const encoder = fitEncoder(table, spec.features);
  const names = featureNames(encoder);
  const { model } = trainClassifier(encodeFeatures(encoder, table), labels, {
    normalization: normalization(encoder), hidden: 16, learningRate: 0.003, epochs: 1, batchSize: 64, l2: 0, seed: 7,
  });
  const metadata = { feature_names: JSON.stringify(names), label: 'delayed: arrival delay of more than 15 minutes', train_rows: String(rows) };
  const file = writeModel(tempDir(t), 'model.onnx', encodeClassifier({ ...model, metadata, docString: 'P(arrival delay > 15 min)' }));
  const m = await inspectOnnx(file);
  const F = names.length;
  assert.equal(m.irVersion, 8);
  assert.equal(m.producerName, 'flowbench-example');
  assert.equal(m.graphName, 'flight_delay_classifier');
  assert.equal(m.docString, 'P(arrival delay > 15 min)');
  assert.deepEqual(m.opsets, [{ domain: 'ai.onnx', version: 13 }]);
  assert.deepEqual(m.inputs, [{ name: 'features', type: 'float32', shape: ['N', F] }]);
  assert.deepEqual(m.outputs, [{ name: 'probability', type: 'float32', shape: ['N', 1] }]);
  assert.deepEqual(m.metadata, metadata);
  assert.deepEqual(m.operators, [
    { domain: 'ai.onnx', op: 'Add', count: 2 },
    { domain: 'ai.onnx', op: 'MatMul', count: 2 },
    { domain: 'ai.onnx', op: 'Div', count: 1 },
    { domain: 'ai.onnx', op: 'Relu', count: 1 },
    { domain: 'ai.onnx', op: 'Sigmoid', count: 1 },
    { domain: 'ai.onnx', op: 'Sub', count: 1 },
  ]);
  // mean, scale, W0 [F, 16], b0 [16], W1 [16, 1], b1 [1]
  assert.equal(m.initializers, 6);
  assert.equal(m.parameters, F + F + F * 16 + 16 + 16 + 1);
  assert.equal(m.parameterBytes, 4 * m.parameters);
  assert.deepEqual(m.problems, []);
});

test('the inspection and the ONNX Runtime client load no native module (the extension host may call them)', async () => {
  for (const entry of ['onnx-inspect.ts', 'ort-check.ts', 'try-model.ts']) {
    const result = await build({ entryPoints: [join(__dirname, '../../core/model', entry)], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, logLevel: 'silent' });
    assert.deepEqual(Object.keys(result.metafile!.inputs).filter((i) => /@duckdb|onnxruntime|\.node$/.test(i)), [], entry);
  }
});
