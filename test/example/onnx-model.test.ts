// The ONNX writer's models load in onnxruntime-node and compute what the JS reference computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { encodeClassifier, readMetadata, INPUT_NAME, OUTPUT_NAME, IR_VERSION, OPSET } from '../../examples/flight-delays/steps/lib/onnx-model.mjs';
import { predict, seededRandom, type Layer, type Matrix } from '../../examples/flight-delays/steps/lib/classifier.mjs';

async function runOnnx(bytes: Uint8Array, matrix: Matrix): Promise<{ dims: readonly number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, [INPUT_NAME]);
  assert.deepEqual(session.outputNames, [OUTPUT_NAME]);
  const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', matrix.data, [matrix.rows, matrix.width]) });
  const tensor = out[OUTPUT_NAME]!;
  return { dims: tensor.dims, data: tensor.data as Float32Array };
}

function randomModel(width: number, hidden: number[], seed: number) {
  const random = seededRandom(seed);
  const sizes = [width, ...hidden, 1];
  const layers: Layer[] = sizes.slice(1).map((outputs, l) => ({
    inputs: sizes[l]!,
    outputs,
    weights: Float32Array.from({ length: sizes[l]! * outputs }, () => random() * 2 - 1),
    bias: Float32Array.from({ length: outputs }, () => random() - 0.5),
  }));
  const mean = Float32Array.from({ length: width }, () => random() * 4 - 2);
  const scale = Float32Array.from({ length: width }, () => 0.5 + random() * 2);
  return { mean, scale, layers };
}

function randomMatrix(rows: number, width: number, seed: number): Matrix {
  const random = seededRandom(seed);
  // half the entries zero, like one-hot inputs, so the reference's zero-skipping path is exercised
  return { rows, width, data: Float32Array.from({ length: rows * width }, () => (random() < 0.5 ? 0 : random() * 6 - 3)) };
}

test('a hand-computed one-hidden-layer model gives the same probabilities in onnxruntime', async () => {
  const bytes = encodeClassifier({
    mean: [1, 2],
    scale: [2, 4],
    layers: [
      { inputs: 2, outputs: 3, weights: [1, 0, -1, 0.5, 0.5, 0.5], bias: [0, 0.1, 0] },
      { inputs: 3, outputs: 1, weights: [1, -1, 2], bias: [0.2] },
    ],
  });
  const { dims, data } = await runOnnx(bytes, { rows: 2, width: 2, data: Float32Array.from([3, 6, 1, 2]) });
  assert.deepEqual([...dims], [2, 1]);
  // row 1 standardizes to [1, 1]: hidden relu([1.5, 0.6, -0.5]) = [1.5, 0.6, 0]; logit 1.5 - 0.6 + 0.2 = 1.1
  // row 2 standardizes to [0, 0]: hidden [0, 0.1, 0]; logit -0.1 + 0.2 = 0.1
  const expected = [1 / (1 + Math.exp(-1.1)), 1 / (1 + Math.exp(-0.1))];
  data.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-6, `row ${i}: ${p} vs ${expected[i]}`));
});

for (const hidden of [[], [8], [6, 4]]) {
  test(`onnxruntime matches the JS reference for ${hidden.length === 0 ? 'logistic regression' : `hidden layers [${hidden}]`}`, async () => {
    const model = randomModel(12, hidden, 11 + hidden.length);
    const matrix = randomMatrix(500, 12, 5);
    const { dims, data } = await runOnnx(encodeClassifier(model), matrix);
    assert.deepEqual([...dims], [500, 1]);
    const reference = predict(model, matrix);
    let worst = 0;
    for (let i = 0; i < matrix.rows; i++) worst = Math.max(worst, Math.abs(data[i]! - reference[i]!));
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    // the outputs must span a real range, or matching would prove little
    assert.ok(Math.max(...reference) - Math.min(...reference) > 0.3);
  });
}

test('metadata, IR version and opset survive a round trip', async () => {
  const bytes = encodeClassifier({ ...randomModel(3, [], 1), metadata: { feature_names: '["a","b","c"]', train_rows: '42' } });
  assert.deepEqual(readMetadata(bytes), { feature_names: '["a","b","c"]', train_rows: '42' });
  const { onnx } = (await import('onnx-proto')).default;
  const decoded = onnx.ModelProto.decode(bytes);
  assert.equal(Number(decoded.irVersion), IR_VERSION);
  assert.equal(Number(decoded.opsetImport[0]!.version), OPSET);
  assert.deepEqual(decoded.graph!.node!.map((n) => n.opType), ['Sub', 'Div', 'MatMul', 'Add', 'Sigmoid']);
});

test('inconsistent shapes are refused with a message naming the problem', () => {
  const good = randomModel(3, [2], 3);
  assert.throws(() => encodeClassifier({ ...good, scale: [1, 1] }), /scale has 2 entries, mean has 3/);
  assert.throws(() => encodeClassifier({ ...good, scale: [1, 0, 1] }), /non-zero/);
  assert.throws(() => encodeClassifier({ ...good, layers: [good.layers[1]!] }), /layer 0 expects 2 inputs, previous width is 3/);
  assert.throws(() => encodeClassifier({ ...good, layers: [good.layers[0]!] }), /last layer must have 1 output/);
  const shortWeights = { ...good.layers[0]!, weights: [1, 2, 3] };
  assert.throws(() => encodeClassifier({ ...good, layers: [shortWeights, good.layers[1]!] }), /tensor W0: 3 values for shape \[3, 2\]/);
  assert.throws(() => readMetadata(Uint8Array.from([0xff, 0xff, 0xff])), /not a valid ONNX model/);
});
