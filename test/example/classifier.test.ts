// The JS trainer and feature encoder learn a synthetic-but-learnable problem, deterministically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predict, seededRandom, trainClassifier } from '../../examples/flight-delays/steps/lib/classifier.mjs';
import { encode, featureNames, fitEncoder, normalization, OTHER, type Table } from '../../examples/flight-delays/steps/lib/features.mjs';
import { auc, logLoss } from '../../examples/flight-delays/steps/lib/metrics.mjs';

const SPEC = [
  { column: 'speed', kind: 'numeric' as const },
  { column: 'colour', kind: 'onehot' as const },
  { column: 'hour', kind: 'onehot' as const },
];
const COLOUR_EFFECT: Record<string, number> = { red: 1.2, green: -0.8, blue: 0, grey: 0.4 };

/** Labels drawn from a known logistic model with a nonlinear hour effect; raw speed is far from standardized. */
function synthetic(rows: number, seed: number): { table: Table; labels: number[] } {
  const random = seededRandom(seed);
  const colours = Object.keys(COLOUR_EFFECT);
  const speed: number[] = [], colour: string[] = [], hour: number[] = [], labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const s = 200 + 50 * (random() + random() + random() - 1.5);
    const c = colours[Math.floor(random() * colours.length)]!;
    const h = Math.floor(random() * 24);
    const logit = 0.06 * (s - 200) + COLOUR_EFFECT[c]! + (h >= 17 ? 1.5 : -0.5) - 1;
    speed.push(s); colour.push(c); hour.push(h);
    labels.push(random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
  }
  return { table: { rows, columns: { speed, colour, hour } }, labels };
}

function baseRateLoss(trainLabels: number[], testLabels: number[]) {
  const rate = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
  return logLoss(testLabels, testLabels.map(() => rate));
}

for (const hidden of [0, 8]) {
  test(`training (${hidden === 0 ? 'logistic regression' : `${hidden} hidden units`}) beats the base rate on held-out rows`, () => {
    const train = synthetic(6000, 1);
    const heldOut = synthetic(3000, 2);
    const encoder = fitEncoder(train.table, SPEC);
    const losses: number[] = [];
    const { model } = trainClassifier(encode(encoder, train.table), train.labels, {
      normalization: normalization(encoder), hidden, learningRate: 0.02, epochs: 6, batchSize: 64, l2: 0, seed: 3,
      onEpoch: (e) => losses.push(e.trainLoss),
    });
    assert.equal(losses.length, 6);
    assert.ok(losses[5]! < losses[0]!, `loss did not fall: ${losses}`);
    const probs = predict(model, encode(encoder, heldOut.table));
    const modelLoss = logLoss(heldOut.labels, probs);
    const baseline = baseRateLoss(train.labels, heldOut.labels);
    assert.ok(modelLoss < baseline - 0.1, `log loss ${modelLoss} vs base rate ${baseline}`);
    assert.ok(auc(heldOut.labels, probs) > 0.8, `auc ${auc(heldOut.labels, probs)}`);
  });
}

test('the same seed gives the same model; another seed a different one', () => {
  const { table, labels } = synthetic(1000, 4);
  const encoder = fitEncoder(table, SPEC);
  const matrix = encode(encoder, table);
  const options = { normalization: normalization(encoder), hidden: 4, learningRate: 0.01, epochs: 2, batchSize: 32, l2: 1e-4, seed: 9 };
  const a = trainClassifier(matrix, labels, options).model;
  const b = trainClassifier(matrix, labels, options).model;
  const c = trainClassifier(matrix, labels, { ...options, seed: 10 }).model;
  assert.deepEqual(a.layers.map((l) => [...l.weights]), b.layers.map((l) => [...l.weights]));
  assert.notDeepEqual(a.layers.map((l) => [...l.weights]), c.layers.map((l) => [...l.weights]));
});

test('validation keeps the epoch with the lowest validation loss', () => {
  const train = synthetic(2000, 5);
  const valid = synthetic(1000, 6);
  const encoder = fitEncoder(train.table, SPEC);
  // a large step size makes later epochs bounce around, so the best one is rarely the last
  const { history, bestEpoch } = trainClassifier(encode(encoder, train.table), train.labels, {
    normalization: normalization(encoder), hidden: 0, learningRate: 0.5, epochs: 5, batchSize: 16, l2: 0, seed: 1,
    validation: { matrix: encode(encoder, valid.table), labels: valid.labels },
  });
  const lowest = Math.min(...history.map((e) => e.validLoss!));
  assert.equal(history[bestEpoch - 1]!.validLoss, lowest);
});

test('training refuses single-class labels', () => {
  const { table } = synthetic(50, 7);
  const encoder = fitEncoder(table, SPEC);
  assert.throws(() => trainClassifier(encode(encoder, table), table.columns.speed!.map(() => 0), {
    normalization: normalization(encoder), hidden: 0, learningRate: 0.01, epochs: 1, batchSize: 8, l2: 0, seed: 1,
  }), /all one class/);
});

test('the encoder one-hots the most frequent values, sends the rest to <other>, and fills missing numerics', () => {
  const table: Table = {
    rows: 6,
    columns: { speed: [1, 3, null, 5, 7, 9], colour: ['red', 'red', 'blue', 'blue', 'red', 'grey'], hour: [1, 1, 1, 1, 1, 1] },
  };
  const encoder = fitEncoder(table, [{ column: 'speed', kind: 'numeric' }, { column: 'colour', kind: 'onehot', top: 2 }]);
  assert.deepEqual(featureNames(encoder), ['speed', 'colour=blue', 'colour=red', `colour=${OTHER}`]);
  const { mean, scale } = normalization(encoder);
  assert.equal(mean[0], 5); // mean of the five known speeds
  assert.ok(Math.abs(scale[0]! - Math.sqrt(8)) < 1e-12);
  assert.deepEqual(mean.slice(1), [0, 0, 0]);
  assert.deepEqual(scale.slice(1), [1, 1, 1]);
  const rows = encode(encoder, { rows: 3, columns: { speed: [2, null, 4], colour: ['blue', 'purple', null] } });
  assert.equal(rows.width, 4);
  assert.deepEqual([...rows.data], [2, 1, 0, 0, /* missing speed -> mean */ 5, 0, 0, 1, 4, 0, 0, 1]);
  assert.throws(() => encode(encoder, { rows: 1, columns: { speed: [1] } }), /feature column 'colour' is not in the table/);
});
