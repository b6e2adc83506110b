// Local-endpoint request bodies as the KServe v2 JSON SageMaker's Triton image takes, read by the local
// endpoint's own parser from real ONNX files' signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import { RequestError } from '../../core/deploy/local-rows';
import { kserveBody } from '../../core/deploy/sagemaker-request';
import { embeddingModel, linearClassifierModel, tempDir, writeModel } from '../model/models';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

test('rows, {"instances"} and named tensors all become the same v2 request', async (t) => {
  const inspection = await inspectOnnx(writeModel(tempDir(t), 'm.onnx', linearClassifierModel()));
  const want = { inputs: [{ name: 'X', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] };
  for (const [type, body] of [
    ['application/json', json([{ X: [1, 2, 3] }, { X: [4, 5, 6] }])],
    ['application/json', json({ instances: [{ X: [1, 2, 3] }, { X: [4, 5, 6] }] })],
    ['application/json; charset=utf-8', json({ inputs: { X: [[1, 2, 3], [4, 5, 6]] } })],
  ] as const) {
    assert.deepEqual(JSON.parse(kserveBody(inspection, type, body)), want, `${type} ${body}`);
  }
});

test('int64 and several inputs keep their names, shapes and datatypes', async (t) => {
  const inspection = await inspectOnnx(writeModel(tempDir(t), 'e.onnx', embeddingModel()));
  const v2 = JSON.parse(kserveBody(inspection, 'application/json', json({ inputs: { ids: [[1, 2]], weights: [[0.5, 0.5]], scale: [2, 2, 2] } })));
  assert.deepEqual(v2.inputs.map((i: { name: string; shape: number[]; datatype: string }) => `${i.name}:${i.datatype}:${i.shape.join('x')}`), ['ids:INT64:1x2', 'weights:FP32:1x2', 'scale:FP32:3']);
});

test('a v2 body passes unchanged; a body that does not fit gets the local endpoint\'s message', async (t) => {
  const inspection = await inspectOnnx(writeModel(tempDir(t), 'm.onnx', linearClassifierModel()));
  const v2 = JSON.stringify({ inputs: [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
  assert.equal(kserveBody(inspection, 'application/json', Buffer.from(v2)), v2);
  assert.throws(() => kserveBody(inspection, 'application/json', json([{ Y: 1 }])), (e: RequestError) => e instanceof RequestError && /unknown feature 'Y'/.test(e.message));
  assert.throws(() => kserveBody(inspection, 'application/json', Buffer.from('{')), /not valid JSON/);
});
