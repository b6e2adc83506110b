// ONNX models written with onnx-proto for the model tests: each one exercises part of the signature
// (int64 ids, symbolic and unknown dims, the ai.onnx.ml domain, sequences of maps, external data).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

const T = onnx.TensorProto.DataType;
type Dim = number | string | null;

export function tensorType(elemType: number, dims: Dim[] | null): onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } } : {}),
    },
  };
}

export const value = (name: string, type: onnx.ITypeProto, docString?: string): onnx.IValueInfoProto => ({ name, type, ...(docString ? { docString } : {}) });

export function floats(name: string, dims: number[], data: number[]): onnx.ITensorProto {
  const f = Float32Array.from(data);
  return { name, dims, dataType: T.FLOAT, rawData: new Uint8Array(f.buffer) };
}

export function int64s(name: string, dims: number[], data: number[]): onnx.ITensorProto {
  return { name, dims, dataType: T.INT64, int64Data: data };
}

export function encode(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/**
 * An embedding lookup: ids int64 [batch, seq] and weights float32 [batch, seq] pooled into float32 [batch, 3],
 * times a scale of unknown length; also returns the ids' shape. Runs in ONNX Runtime.
 */
export function embeddingModel(): onnx.IModelProto {
  const emb = Array.from({ length: 30 }, (_, i) => i / 10);
  return {
    irVersion: 8,
    producerName: 'flowbench-tests',
    producerVersion: '0.1',
    domain: 'ai.flowbench.test',
    modelVersion: 3,
    docString: 'Weighted mean of embeddings',
    opsetImport: [{ domain: '', version: 13 }],
    metadataProps: [{ key: 'author', value: 'tests' }, { key: 'task', value: 'embedding' }],
    graph: {
      name: 'embed',
      initializer: [floats('emb', [10, 3], emb), int64s('last_axis', [1], [2]), int64s('seq_axis', [1], [1])],
      node: [
        { opType: 'Gather', input: ['emb', 'ids'], output: ['e'], name: 'lookup' },
        { opType: 'Unsqueeze', input: ['weights', 'last_axis'], output: ['w3'] },
        { opType: 'Mul', input: ['e', 'w3'], output: ['ew'] },
        { opType: 'ReduceSum', input: ['ew', 'seq_axis'], output: ['pooled'], attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
        { opType: 'Mul', input: ['pooled', 'scale'], output: ['scaled'] },
        { opType: 'Shape', input: ['ids'], output: ['ids_shape'] },
      ],
      input: [
        value('ids', tensorType(T.INT64, ['batch', 'seq']), 'token ids'),
        value('weights', tensorType(T.FLOAT, ['batch', 'seq'])),
        value('scale', tensorType(T.FLOAT, [null])),
      ],
      output: [value('scaled', tensorType(T.FLOAT, ['batch', 3])), value('ids_shape', tensorType(T.INT64, [2]))],
    },
  };
}

/** scikit-learn style: LinearClassifier (ai.onnx.ml) then ZipMap, whose output is a sequence of maps. */
export function linearClassifierModel(): onnx.IModelProto {
  const A = onnx.AttributeProto.AttributeType;
  return {
    irVersion: 8,
    producerName: 'skl2onnx-like',
    opsetImport: [{ domain: '', version: 13 }, { domain: 'ai.onnx.ml', version: 1 }],
    graph: {
      name: 'linear',
      node: [
        {
          opType: 'LinearClassifier', domain: 'ai.onnx.ml', input: ['X'], output: ['label', 'probabilities'],
          attribute: [
            { name: 'classlabels_ints', type: A.INTS, ints: [0, 1] },
            { name: 'coefficients', type: A.FLOATS, floats: [0.5, -1, 2, -0.5, 1, -2] },
            { name: 'intercepts', type: A.FLOATS, floats: [0.1, -0.1] },
            { name: 'post_transform', type: A.STRING, s: new TextEncoder().encode('SOFTMAX') },
          ],
        },
        { opType: 'ZipMap', domain: 'ai.onnx.ml', input: ['probabilities'], output: ['output_probability'], attribute: [{ name: 'classlabels_int64s', type: A.INTS, ints: [0, 1] }] },
      ],
      input: [value('X', tensorType(T.FLOAT, ['N', 3]))],
      output: [
        value('label', tensorType(T.INT64, ['N'])),
        value('output_probability', { sequenceType: { elemType: { mapType: { keyType: T.INT64, valueType: tensorType(T.FLOAT, null) } } } }),
      ],
    },
  };
}

/** X float32 [N, 4] times W [4, 2], W's 32 bytes at offset 16 of weights.bin. */
export function externalDataModel(): { model: onnx.IModelProto; weights: Buffer } {
  const w = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 2]);
  const weights = Buffer.concat([Buffer.alloc(16, 0xee), Buffer.from(w.buffer)]);
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'matmul',
      initializer: [{
        name: 'W', dims: [4, 2], dataType: T.FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '16' }, { key: 'length', value: '32' }],
      }],
      node: [{ opType: 'MatMul', input: ['X', 'W'], output: ['Y'] }],
      input: [value('X', tensorType(T.FLOAT, ['N', 4]))],
      output: [value('Y', tensorType(T.FLOAT, ['N', 2]))],
    },
  };
  return { model, weights };
}

/** A temp folder, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeModel(dir: string, name: string, model: onnx.IModelProto | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, model instanceof Uint8Array ? model : encode(model));
  return file;
}
