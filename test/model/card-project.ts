// A small, fast flow whose model is a real ONNX logistic regression (written with the example's
// onnx-proto encoder) over one numeric feature `x` and a one-hot `group` (a, b with equal weights), so a
// perturbation of x moves predictions and a swap of group does not. The evaluate step writes eval
// metrics, a slice table by group and the sample perturbation checks run on.
import { join } from 'node:path';
import { repo } from '../cli/harness';

const lib = join(repo, 'examples/flight-delays/steps/lib');

export const CHECKS_FAILING = `
  checks:
    - metric: auc
      min: 0.6
    - name: every group slice is near perfect
      metric: auc
      min: 0.999
      slices: group
    - metric: auc
      slices: group
      max_gap: 0.5
    - perturb: x
      delta: 0.5
      max_change: 0.01
    - swap: group
      from: a
      to: b
      max_change: 0.001
`;

export const CHECKS_PASSING = `
  checks:
    - metric: auc
      min: 0.6
    - perturb: x
      delta: 0.5
      min_change: 0.01
    - swap: group
      from: a
      to: b
      max_change: 0.001
`;

export function flowText(checks: string): string {
  return `flow: card-test
description: A logistic regression on x and group, for model card tests.
params:
  weight: 2
sources:
  raw:
    points:
      path: data/points.csv
      format: csv
steps:
  train:
    run: node steps/train.mjs \${params.weight}
    deps: [steps/train.mjs]
    outs: [models/model.onnx]
  evaluate:
    run: node steps/evaluate.mjs
    deps: [steps/evaluate.mjs, models/model.onnx, data/points.csv]
    outs: [metrics/slices.json, metrics/sample.json]
    metrics: metrics/eval.json
model:
  path: models/model.onnx
  step: train
  sample: metrics/sample.json
  card:
    intended_use: Testing model cards.
    out_of_scope: Anything real.
    limitations: "Synthetic data: x: uniform, labels noisy."
    ethical_considerations: No personal data.
    owners: [Flowbench tests]
    license: mit
    tags: [tabular, test]
    datasets: [synthetic-points]
${checks}`;
}

/** 400 deterministic points: x in [-2, 2], group a/b alternating, label from x plus noise. */
function points(): string {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows = ['x,group,label'];
  for (let i = 0; i < 400; i++) {
    const x = -2 + 4 * rand();
    rows.push(`${x.toFixed(4)},${i % 2 ? 'b' : 'a'},${x + (rand() - 0.5) * 2 > 0 ? 1 : 0}`);
  }
  return rows.join('\n') + '\n';
}

const TRAIN = `import { mkdirSync, writeFileSync } from 'node:fs';
import { encodeClassifier } from ${JSON.stringify(join(lib, 'onnx-model.mjs'))};
const w = Number(process.argv[2]);
const weights = [w, 0.3, 0.3];
const bytes = encodeClassifier({
  mean: [0, 0, 0], scale: [1, 1, 1],
  layers: [{ weights, bias: [-0.3], inputs: 3, outputs: 1 }],
  metadata: { weights: JSON.stringify(weights), bias: '-0.3' },
});
mkdirSync('models', { recursive: true });
writeFileSync('models/model.onnx', bytes);
`;

const EVALUATE = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readMetadata } from ${JSON.stringify(join(lib, 'onnx-model.mjs'))};
import { summarize } from ${JSON.stringify(join(lib, 'metrics.mjs'))};
const meta = readMetadata(readFileSync('models/model.onnx'));
const w = JSON.parse(meta.weights), b = Number(meta.bias);
const lines = readFileSync('data/points.csv', 'utf8').trim().split('\\n').slice(1).map((l) => l.split(','));
const rows = lines.map(([x, g, y]) => ({ features: [Number(x), g === 'a' ? 1 : 0, g === 'b' ? 1 : 0], group: g, label: Number(y) }));
const prob = (f) => 1 / (1 + Math.exp(-(f[0] * w[0] + f[1] * w[1] + f[2] * w[2] + b)));
const probs = rows.map((r) => prob(r.features));
const labels = rows.map((r) => r.label);
mkdirSync('metrics', { recursive: true });
writeFileSync('metrics/eval.json', JSON.stringify({ model: summarize(labels, probs, 0.5) }));
const by_group = ['a', 'b'].map((g) => {
  const idx = rows.flatMap((r, i) => (r.group === g ? [i] : []));
  return { group: g, ...summarize(idx.map((i) => labels[i]), idx.map((i) => probs[i]), 0.5) };
});
writeFileSync('metrics/slices.json', JSON.stringify({ threshold: 0.5, by_group }));
writeFileSync('metrics/sample.json', JSON.stringify({ inputs: { features: { columns: ['x', 'group=a', 'group=b'], rows: rows.slice(0, 50).map((r) => r.features) } } }));
`;

export function cardProjectFiles(checks = CHECKS_FAILING): Record<string, string> {
  return {
    'card-test.flow.yaml': flowText(checks),
    'data/points.csv': points(),
    'steps/train.mjs': TRAIN,
    'steps/evaluate.mjs': EVALUATE,
  };
}
