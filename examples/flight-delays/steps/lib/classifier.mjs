// A small feed-forward binary classifier trained with mini-batch Adam on binary cross-entropy, in plain JS.
// `hidden: 0` is logistic regression; `hidden: H` adds one ReLU layer of H units. Same seed, same data,
// same model: the only randomness is a seeded generator for initial weights and batch order.
// The model is { mean, scale, layers } — exactly what onnx-model.mjs serializes.
import { logLoss } from './metrics.mjs';

/** Deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random) {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** Standardized copy of a row-major matrix. */
function standardize(matrix, mean, scale) {
  const out = new Float32Array(matrix.data.length);
  const w = matrix.width;
  for (let r = 0; r < matrix.rows; r++) {
    for (let c = 0; c < w; c++) out[r * w + c] = (matrix.data[r * w + c] - mean[c]) / scale[c];
  }
  return out;
}

/** Forward pass for one row; fills `acts[l]` with each layer's output and returns the probability. */
function forwardRow(layers, x, offset, acts) {
  let input = x;
  let base = offset;
  for (let l = 0; l < layers.length; l++) {
    const { weights, bias, inputs, outputs } = layers[l];
    const out = acts[l];
    for (let j = 0; j < outputs; j++) out[j] = bias[j];
    for (let i = 0; i < inputs; i++) {
      const v = input[base + i];
      if (v === 0) continue; // one-hot inputs are mostly zero
      const row = i * outputs;
      for (let j = 0; j < outputs; j++) out[j] += v * weights[row + j];
    }
    if (l < layers.length - 1) for (let j = 0; j < outputs; j++) if (out[j] < 0) out[j] = 0;
    input = out;
    base = 0;
  }
  return sigmoid(acts[layers.length - 1][0]);
}

function activationBuffers(layers) {
  return layers.map((l) => new Float64Array(l.outputs));
}

/** Probabilities for every row of a raw (unstandardized) matrix. */
export function predict(model, matrix) {
  const x = standardize(matrix, model.mean, model.scale);
  const acts = activationBuffers(model.layers);
  const out = new Float32Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) out[r] = forwardRow(model.layers, x, r * matrix.width, acts);
  return out;
}

function initLayers(sizes, baseRate, random) {
  return sizes.slice(1).map((outputs, l) => {
    const inputs = sizes[l];
    const isLast = l === sizes.length - 2;
    const weights = new Float64Array(inputs * outputs);
    // He initialisation for ReLU layers; a logistic regression may start at zero
    const std = isLast ? (sizes.length === 2 ? 0 : Math.sqrt(1 / inputs)) : Math.sqrt(2 / inputs);
    for (let k = 0; k < weights.length; k++) weights[k] = std * gaussian(random);
    const bias = new Float64Array(outputs);
    // starting at the base rate's log-odds spares the first epoch from learning the intercept
    if (isLast) bias[0] = Math.log(baseRate / (1 - baseRate));
    return { inputs, outputs, weights, bias };
  });
}

function snapshot(layers) {
  return layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weights: Float32Array.from(l.weights), bias: Float32Array.from(l.bias) }));
}

/**
 * @param {{ data: Float32Array, rows: number, width: number }} train  raw encoded features
 * @param {ArrayLike<number>} labels  0/1 per training row
 * @param {object} options
 * @param {{ mean: number[], scale: number[] }} options.normalization
 * @param {number} options.hidden        0 for logistic regression
 * @param {number} options.learningRate  Adam step size
 * @param {number} options.epochs
 * @param {number} options.batchSize
 * @param {number} options.l2            weight decay on weights (not biases)
 * @param {number} options.seed
 * @param {{ matrix: object, labels: ArrayLike<number> }} [options.validation]  picks the best epoch
 * @param {(e: { epoch: number, trainLoss: number, validLoss?: number, seconds: number }) => void} [options.onEpoch]
 * @returns {{ model: { mean, scale, layers }, history: object[], bestEpoch: number }}
 */
export function trainClassifier(train, labels, options) {
  const { normalization, hidden, learningRate, epochs, batchSize, l2, seed, validation, onEpoch } = options;
  if (train.rows === 0) throw new Error('no training rows');
  if (labels.length !== train.rows) throw new Error(`${labels.length} labels for ${train.rows} rows`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0;
  if (positives === 0 || positives === labels.length) throw new Error('training labels are all one class');

  const random = seededRandom(seed);
  const x = standardize(train, normalization.mean, normalization.scale);
  const sizes = hidden > 0 ? [train.width, hidden, 1] : [train.width, 1];
  const layers = initLayers(sizes, positives / labels.length, random);
  const grads = layers.map((l) => ({ weights: new Float64Array(l.weights.length), bias: new Float64Array(l.bias.length) }));
  const moments = layers.map((l) => ({
    mw: new Float64Array(l.weights.length), vw: new Float64Array(l.weights.length),
    mb: new Float64Array(l.bias.length), vb: new Float64Array(l.bias.length),
  }));
  const acts = activationBuffers(layers);
  const deltas = layers.map((l) => new Float64Array(l.outputs));
  const order = Uint32Array.from({ length: train.rows }, (_, i) => i);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  let t = 0;

  const history = [];
  let best = { loss: Infinity, epoch: 0, layers: snapshot(layers) };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = Date.now();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const end = Math.min(order.length, start + batchSize);
      for (const g of grads) { g.weights.fill(0); g.bias.fill(0); }
      for (let k = start; k < end; k++) {
        const row = order[k];
        const offset = row * train.width;
        const p = forwardRow(layers, x, offset, acts);
        const y = labels[row] ? 1 : 0;
        const pc = Math.min(1 - 1e-7, Math.max(1e-7, p));
        lossSum -= y ? Math.log(pc) : Math.log(1 - pc);
        deltas[layers.length - 1][0] = p - y; // d(cross-entropy)/d(logit) for a sigmoid output
        for (let l = layers.length - 1; l >= 0; l--) {
          const { inputs, outputs, weights } = layers[l];
          const input = l === 0 ? x : acts[l - 1];
          const base = l === 0 ? offset : 0;
          const delta = deltas[l];
          const g = grads[l];
          for (let j = 0; j < outputs; j++) g.bias[j] += delta[j];
          const below = l > 0 ? deltas[l - 1] : null;
          for (let i = 0; i < inputs; i++) {
            const v = input[base + i];
            if (v === 0) { if (below) below[i] = 0; continue; } // also a ReLU that did not fire
            const row = i * outputs;
            let back = 0;
            for (let j = 0; j < outputs; j++) {
              g.weights[row + j] += v * delta[j];
              back += weights[row + j] * delta[j];
            }
            if (below) below[i] = back;
          }
        }
      }
      t++;
      const n = end - start;
      const correction1 = 1 - beta1 ** t, correction2 = 1 - beta2 ** t;
      layers.forEach((layer, l) => {
        const g = grads[l], m = moments[l];
        const update = (params, grad, mm, vv, decay) => {
          for (let k = 0; k < params.length; k++) {
            const gk = grad[k] / n + decay * params[k];
            mm[k] = beta1 * mm[k] + (1 - beta1) * gk;
            vv[k] = beta2 * vv[k] + (1 - beta2) * gk * gk;
            params[k] -= (learningRate * (mm[k] / correction1)) / (Math.sqrt(vv[k] / correction2) + eps);
          }
        };
        update(layer.weights, g.weights, m.mw, m.vw, l2);
        update(layer.bias, g.bias, m.mb, m.vb, 0);
      });
    }
    const entry = { epoch, trainLoss: lossSum / order.length, seconds: (Date.now() - started) / 1000 };
    const current = snapshot(layers);
    if (validation) {
      const probs = predict({ mean: normalization.mean, scale: normalization.scale, layers: current }, validation.matrix);
      entry.validLoss = logLoss(validation.labels, probs);
    }
    const score = entry.validLoss ?? entry.trainLoss;
    if (score < best.loss) best = { loss: score, epoch, layers: current };
    history.push(entry);
    onEpoch?.(entry);
  }
  return {
    model: { mean: Float32Array.from(normalization.mean), scale: Float32Array.from(normalization.scale), layers: best.layers },
    history,
    bestEpoch: best.epoch,
  };
}
