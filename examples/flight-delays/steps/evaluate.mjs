// Scores the held-out test rows with the trained ONNX model in onnxruntime-node and compares it with a
// base-rate baseline. Fails when the model does not beat the baseline on both log loss and AUC.
// Usage (flowbench runs this): node steps/evaluate.mjs [--threshold 0.5] [--top-origins 15] [--min-slice-rows 100] [--sample-rows 200]
// Reads:  models/model.onnx, FLOWBENCH_INPUT_FEATURES (rows with split 'test')
// Writes: metrics/eval.json (model vs baseline), metrics/slices.json (by origin airport and by hour of day),
//         metrics/eval-sample.json (the model inputs of the first test rows, with their feature names, which
//         the flow's perturbation checks run the model on: see `model.checks` in the flow file)
import { existsSync, readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { encode, featureNames } from './lib/features.mjs';
import { summarize } from './lib/metrics.mjs';
import { INPUT_NAME, OUTPUT_NAME, readMetadata } from './lib/onnx-model.mjs';
import { readParquet } from './lib/parquet.mjs';
import { inputPath, numericArgs, runStep, StepError, writeJsonAtomic } from './lib/step-env.mjs';

const MODEL_PATH = 'models/model.onnx';
const EVAL_PATH = 'metrics/eval.json';
const SLICES_PATH = 'metrics/slices.json';
const SAMPLE_PATH = 'metrics/eval-sample.json';
const LABEL = 'delayed';
const BATCH = 8192;

function loadEncoder(metadata) {
  for (const key of ['feature_encoder', 'train_positive_rate']) {
    if (!(key in metadata)) throw new StepError(`${MODEL_PATH} has no '${key}' metadata; was it written by steps/train.mjs?`);
  }
  return { encoder: JSON.parse(metadata.feature_encoder), baseRate: Number(metadata.train_positive_rate) };
}

async function score(session, matrix) {
  const probs = new Float32Array(matrix.rows);
  for (let start = 0; start < matrix.rows; start += BATCH) {
    const rows = Math.min(BATCH, matrix.rows - start);
    const data = matrix.data.subarray(start * matrix.width, (start + rows) * matrix.width);
    const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', data, [rows, matrix.width]) });
    probs.set(out[OUTPUT_NAME].data, start);
  }
  return probs;
}

/** Metrics per value of `column`, for the values in `keep` (all when absent), largest slices first. */
function sliceBy(column, values, labels, probs, threshold, minRows, keep) {
  const groups = new Map();
  values.forEach((v, i) => {
    if (keep && !keep.has(v)) return;
    if (!groups.has(v)) groups.set(v, []);
    groups.get(v).push(i);
  });
  return [...groups.entries()]
    .filter(([, rows]) => rows.length >= minRows)
    .sort((a, b) => b[1].length - a[1].length || String(a[0]).localeCompare(String(b[0])))
    .map(([value, rows]) => ({
      [column]: value,
      ...summarize(rows.map((i) => labels[i]), rows.map((i) => probs[i]), threshold),
    }));
}

function topValues(values, n) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return new Set([...counts.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, n).map(([v]) => v));
}

const fmt = (m) => `log_loss ${m.log_loss.toFixed(4)}  auc ${Number.isNaN(m.auc) ? '  n/a ' : m.auc.toFixed(4)}  ` +
  `accuracy ${m.accuracy.toFixed(4)}  precision ${m.precision.toFixed(4)}  recall ${m.recall.toFixed(4)}`;

runStep('evaluate', async () => {
  const args = numericArgs({
    threshold: { default: 0.5, min: 0, max: 1 },
    'top-origins': { default: 15, min: 1, integer: true },
    'min-slice-rows': { default: 100, min: 1, integer: true },
    'sample-rows': { default: 200, min: 1, integer: true },
  });
  if (!existsSync(MODEL_PATH)) throw new StepError(`${MODEL_PATH} does not exist; run the train step first.`);
  const bytes = readFileSync(MODEL_PATH);
  const { encoder, baseRate } = loadEncoder(readMetadata(bytes));

  const source = inputPath('features');
  const columns = [...new Set([...encoder.columns.map((c) => c.column), LABEL, 'origin', 'hour_of_day'])];
  const test = await readParquet(source, columns, "split = 'test'");
  if (test.rows === 0) throw new StepError(`${source} has no rows with split = 'test'`);
  const labels = test.columns[LABEL];
  if (labels.some((v) => v !== 0 && v !== 1)) throw new StepError(`column ${LABEL} must hold only 0 and 1`);
  console.log(`scoring ${test.rows} test rows from ${source}`);

  let session;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (err) {
    throw new StepError(`onnxruntime cannot load ${MODEL_PATH}: ${err.message}`);
  }
  const started = Date.now();
  const matrix = encode(encoder, test);
  const probs = await score(session, matrix);
  console.log(`scored in ${((Date.now() - started) / 1000).toFixed(2)}s with onnxruntime-node`);

  const threshold = args.threshold;
  const model = summarize(labels, probs, threshold);
  const baseline = summarize(labels, new Float32Array(test.rows).fill(baseRate), threshold);
  const report = {
    test_rows: test.rows,
    threshold,
    model,
    baseline: { ...baseline, description: `predicts the training delay rate ${baseRate.toFixed(4)} for every flight` },
    improvement: { log_loss: baseline.log_loss - model.log_loss, auc: model.auc - baseline.auc },
  };
  writeJsonAtomic(EVAL_PATH, report);

  const minRows = args['min-slice-rows'];
  const slices = {
    threshold,
    min_rows: minRows,
    by_origin: sliceBy('origin', test.columns.origin, labels, probs, threshold, minRows, topValues(test.columns.origin, args['top-origins'])),
    by_hour_of_day: sliceBy('hour_of_day', test.columns.hour_of_day, labels, probs, threshold, minRows)
      .sort((a, b) => a.hour_of_day - b.hour_of_day),
  };
  writeJsonAtomic(SLICES_PATH, slices);
  const sampleRows = Math.min(args['sample-rows'], matrix.rows);
  const rows = Array.from({ length: sampleRows }, (_, r) => Array.from(matrix.data.subarray(r * matrix.width, (r + 1) * matrix.width)));
  writeJsonAtomic(SAMPLE_PATH, { inputs: { [INPUT_NAME]: { columns: featureNames(encoder), rows } } });

  console.log(`model     ${fmt(model)}`);
  console.log(`baseline  ${fmt(baseline)}`);
  const worst = slices.by_origin.filter((s) => Number.isFinite(s.auc)).sort((a, b) => a.auc - b.auc)[0];
  if (worst) console.log(`weakest origin slice: ${worst.origin} (auc ${worst.auc.toFixed(4)}, ${worst.rows} rows)`);
  console.log(`wrote ${EVAL_PATH}, ${SLICES_PATH} and ${SAMPLE_PATH}`);

  const failures = [];
  if (!(model.log_loss < baseline.log_loss)) failures.push(`log loss ${model.log_loss.toFixed(4)} is not below the baseline's ${baseline.log_loss.toFixed(4)}`);
  if (!(model.auc > baseline.auc)) failures.push(`AUC ${model.auc.toFixed(4)} is not above the baseline's ${baseline.auc.toFixed(4)}`);
  if (failures.length > 0) {
    throw new StepError(`the model does not beat the base-rate baseline: ${failures.join('; ')}. ` +
      'Check the features and training params (learning_rate, epochs) before shipping this model.');
  }
});
