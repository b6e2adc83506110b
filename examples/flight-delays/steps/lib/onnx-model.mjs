// Writes a feed-forward binary classifier as a real ONNX model with onnx-proto, and reads its metadata back.
// Graph: features[N,F] -> Sub(mean) -> Div(scale) -> (MatMul -> Add -> Relu)* -> MatMul -> Add -> Sigmoid -> probability[N,1].
// Normalization lives inside the graph so a caller (evaluation, a serving endpoint) feeds raw encoded features.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

// IR 8 with opset 13 is what onnx-proto's schema describes and every onnxruntime since 1.8 loads.
export const IR_VERSION = 8;
export const OPSET = 13;
export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'probability';

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function floatTensor(name, dims, values) {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`tensor ${name}: ${data.length} values for shape [${dims.join(', ')}] (expected ${expected})`);
  }
  // rawData is little-endian float32, which is what a Float32Array holds on every platform Node supports.
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function floatValueInfo(name, dims) {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * @param {object} model
 * @param {number[]|Float32Array} model.mean      per-feature offset subtracted first
 * @param {number[]|Float32Array} model.scale     per-feature divisor applied next (non-zero)
 * @param {{weights: Float32Array|number[], bias: Float32Array|number[], inputs: number, outputs: number}[]} model.layers
 *        weights are row-major [inputs][outputs]; hidden layers use ReLU, the last layer has one output and a sigmoid
 * @param {Record<string,string>} [model.metadata]  stored as metadata_props
 * @param {string} [model.docString]
 * @returns {Uint8Array} the serialized ModelProto
 */
export function encodeClassifier({ mean, scale, layers, metadata = {}, docString = '' }) {
  const featureCount = mean.length;
  if (scale.length !== featureCount) throw new Error(`scale has ${scale.length} entries, mean has ${featureCount}`);
  if (layers.length === 0) throw new Error('a classifier needs at least one layer');
  if (Array.from(scale).some((s) => !(Math.abs(s) > 0))) throw new Error('scale entries must be non-zero numbers');
  const last = layers[layers.length - 1];
  if (last.outputs !== 1) throw new Error(`the last layer must have 1 output, has ${last.outputs}`);

  const initializer = [floatTensor('mean', [featureCount], mean), floatTensor('scale', [featureCount], scale)];
  const node = [
    { opType: 'Sub', input: [INPUT_NAME, 'mean'], output: ['centered'], name: 'center' },
    { opType: 'Div', input: ['centered', 'scale'], output: ['standardized'], name: 'standardize' },
  ];
  let current = 'standardized';
  let width = featureCount;
  layers.forEach((layer, i) => {
    if (layer.inputs !== width) throw new Error(`layer ${i} expects ${layer.inputs} inputs, previous width is ${width}`);
    const isLast = i === layers.length - 1;
    initializer.push(floatTensor(`W${i}`, [layer.inputs, layer.outputs], layer.weights));
    initializer.push(floatTensor(`b${i}`, [layer.outputs], layer.bias));
    node.push({ opType: 'MatMul', input: [current, `W${i}`], output: [`matmul${i}`], name: `matmul${i}` });
    node.push({ opType: 'Add', input: [`matmul${i}`, `b${i}`], output: [isLast ? 'logit' : `linear${i}`], name: `add${i}` });
    if (!isLast) {
      node.push({ opType: 'Relu', input: [`linear${i}`], output: [`hidden${i}`], name: `relu${i}` });
      current = `hidden${i}`;
    }
    width = layer.outputs;
  });
  node.push({ opType: 'Sigmoid', input: ['logit'], output: [OUTPUT_NAME], name: 'sigmoid' });

  const message = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'flowbench-example',
    producerVersion: '1',
    docString,
    graph: {
      name: 'flight_delay_classifier',
      node,
      initializer,
      input: [floatValueInfo(INPUT_NAME, ['N', featureCount])],
      output: [floatValueInfo(OUTPUT_NAME, ['N', 1])],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value: String(value) })),
  });
  return onnx.ModelProto.encode(message).finish();
}

/** metadata_props of a serialized model as a plain object. */
export function readMetadata(bytes) {
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`not a valid ONNX model (${err.message})`);
  }
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}
