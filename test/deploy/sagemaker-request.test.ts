// Local-endpoint request bodies translated to the KServe v2 JSON that SageMaker's Triton image takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kserveRequest, RequestError } from '../../core/deploy/sagemaker-request';
import type { OnnxTensorInfo } from '../../core/model/onnx-types';

const X: OnnxTensorInfo = { name: 'X', type: 'float32', shape: ['N', 3] };
const ids: OnnxTensorInfo = { name: 'ids', type: 'int64', shape: ['N'] };
const age: OnnxTensorInfo = { name: 'age', type: 'float64', shape: ['N', 1] };
const city: OnnxTensorInfo = { name: 'city', type: 'string', shape: ['N', 1] };

test('named tensors: shape from the nesting, datatype from the signature, data flattened', () => {
  assert.deepEqual(kserveRequest({ inputs: { X: [[1, 2, 3], [4, 5, 6]] } }, [X]), { inputs: [{ name: 'X', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] });
});

test('rows keyed by input name: one column per input, [N] and [N, 1] shapes, strings as BYTES', () => {
  const rows = [{ ids: 7, age: 31.5, city: 'Oslo' }, { ids: 8, age: 40, city: 'Bergen' }];
  assert.deepEqual(kserveRequest(rows, [ids, age, city]).inputs, [
    { name: 'ids', shape: [2], datatype: 'INT64', data: [7, 8] },
    { name: 'age', shape: [2, 1], datatype: 'FP64', data: [31.5, 40] },
    { name: 'city', shape: [2, 1], datatype: 'BYTES', data: ['Oslo', 'Bergen'] },
  ]);
  assert.deepEqual(kserveRequest({ rows: [{ X: [1, 2, 3] }] }, [X]).inputs, [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }]);
  assert.deepEqual(kserveRequest({ X: [1, 2, 3] }, [X]).inputs[0]!.shape, [1, 3], 'a single row object');
});

test('a v2 body passes unchanged; what does not fit says what the model wants', () => {
  const v2 = { inputs: [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] };
  assert.equal(kserveRequest(v2, [X]), v2);
  assert.throws(() => kserveRequest([{ Y: 1 }], [X]), (e: Error) => e instanceof RequestError && e.message === "row 1 has no 'X' (the model's inputs: X)");
  assert.throws(() => kserveRequest({ inputs: { X: [1, 2, 3] } }, [X]), /input 'X' needs 2 dimensions \[N, 3\], got 1/);
  assert.throws(() => kserveRequest({ inputs: {} }, [X]), /no tensor for input 'X'/);
  assert.throws(() => kserveRequest('hello', [X]), /expected rows/);
  assert.throws(() => kserveRequest([], [X]), /expected rows/);
});
