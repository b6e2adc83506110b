// Trains the flight-delay classifier on the `features` table and writes it as an ONNX model.
// Usage (flowbench runs this): node steps/train.mjs --learning-rate 0.003 --epochs 8 [--hidden 16] [--batch-size 256] [--l2 0] [--seed 7]
// Reads:  FLOWBENCH_INPUT_FEATURES (Parquet; rows with split 'train' fit the model, 'valid' picks the best epoch)
// Writes: models/model.onnx, metrics/train.json, and one train_loss / valid_loss point per epoch to FLOWBENCH_METRICS_LOG
import { readFileSync } from 'node:fs';
import { auc } from './lib/metrics.mjs';
import { encodeClassifier, INPUT_NAME, OUTPUT_NAME } from './lib/onnx-model.mjs';
import { encode, featureNames, fitEncoder, normalization } from './lib/features.mjs';
import { predict, trainClassifier } from './lib/classifier.mjs';
import { readParquet } from './lib/parquet.mjs';
import { inputPath, metricLogger, numericArgs, runStep, StepError, writeFileAtomic, writeJsonAtomic } from './lib/step-env.mjs';

const MODEL_PATH = 'models/model.onnx';
const METRICS_PATH = 'metrics/train.json';

// What the model sees (only what is known before departure); shared with train.py.
const { label: LABEL, features: FEATURES } = JSON.parse(readFileSync(new URL('./feature-spec.json', import.meta.url), 'utf8'));

function subset(table, split) {
  const keep = [];
  table.columns.split.forEach((s, i) => { if (s === split) keep.push(i); });
  return {
    rows: keep.length,
    columns: Object.fromEntries(Object.entries(table.columns).map(([name, values]) => [name, keep.map((i) => values[i])])),
  };
}

function checkLabels(labels, split) {
  for (const v of labels) {
    if (v !== 0 && v !== 1) throw new StepError(`column ${LABEL} must be 0 or 1, found ${JSON.stringify(v)} in the ${split} rows`);
  }
}

runStep('train', async () => {
  const args = numericArgs({
    'learning-rate': { default: 0.003, min: 1e-6, max: 10 },
    epochs: { default: 8, min: 1, max: 1000, integer: true },
    hidden: { default: 16, min: 0, max: 1024, integer: true },
    'batch-size': { default: 256, min: 1, integer: true },
    l2: { default: 0, min: 0 },
    seed: { default: 7, integer: true },
  });
  const source = inputPath('features');
  const started = Date.now();
  const table = await readParquet(source, [...FEATURES.map((f) => f.column), LABEL, 'split'], "split IN ('train', 'valid')");
  const trainRows = subset(table, 'train');
  const validRows = subset(table, 'valid');
  if (trainRows.rows === 0) throw new StepError(`${source} has no rows with split = 'train'`);
  checkLabels(trainRows.columns[LABEL], 'train');
  checkLabels(validRows.columns[LABEL], 'valid');

  const encoder = fitEncoder(trainRows, FEATURES);
  const names = featureNames(encoder);
  const train = encode(encoder, trainRows);
  const valid = validRows.rows > 0 ? { matrix: encode(encoder, validRows), labels: validRows.columns[LABEL] } : undefined;
  const baseRate = trainRows.columns[LABEL].reduce((a, b) => a + b, 0) / trainRows.rows;
  console.log(
    `read ${trainRows.rows} training and ${validRows.rows} validation rows from ${source} ` +
      `(${names.length} inputs, ${(baseRate * 100).toFixed(1)}% delayed) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  const kind = args.hidden > 0 ? `one hidden layer of ${args.hidden} ReLU units` : 'logistic regression';
  console.log(`training ${kind}: ${args.epochs} epochs, learning rate ${args['learning-rate']}, batch ${args['batch-size']}, l2 ${args.l2}, seed ${args.seed}`);

  const logMetric = metricLogger();
  const { model, history, bestEpoch } = trainClassifier(train, trainRows.columns[LABEL], {
    normalization: normalization(encoder),
    hidden: args.hidden,
    learningRate: args['learning-rate'],
    epochs: args.epochs,
    batchSize: args['batch-size'],
    l2: args.l2,
    seed: args.seed,
    validation: valid,
    onEpoch: (e) => {
      console.log(`epoch ${e.epoch}/${args.epochs}  train_loss ${e.trainLoss.toFixed(5)}` +
        (e.validLoss === undefined ? '' : `  valid_loss ${e.validLoss.toFixed(5)}`) + `  (${e.seconds.toFixed(1)}s)`);
      logMetric('train_loss', e.trainLoss, e.epoch);
      if (e.validLoss !== undefined) logMetric('valid_loss', e.validLoss, e.epoch);
    },
  });
  for (const e of history) {
    if (!Number.isFinite(e.trainLoss)) throw new StepError(`training diverged at epoch ${e.epoch} (loss ${e.trainLoss}); lower --learning-rate`);
  }

  const validAuc = valid ? auc(valid.labels, predict(model, valid.matrix)) : undefined;
  const bytes = encodeClassifier({
    ...model,
    docString: `P(arrival delay > 15 min) for a 2001 US domestic flight; input '${INPUT_NAME}' columns are listed in metadata feature_names`,
    metadata: {
      feature_names: JSON.stringify(names),
      feature_encoder: JSON.stringify(encoder),
      label: `${LABEL}: arrival delay of more than 15 minutes`,
      output: `${OUTPUT_NAME}: probability that the flight is delayed`,
      train_positive_rate: String(baseRate),
      train_rows: String(trainRows.rows),
      hyperparameters: JSON.stringify(args),
    },
  });
  writeFileAtomic(MODEL_PATH, bytes);
  const best = history[bestEpoch - 1];
  writeJsonAtomic(METRICS_PATH, {
    train_rows: trainRows.rows,
    valid_rows: validRows.rows,
    inputs: names.length,
    best_epoch: bestEpoch,
    train_loss: best.trainLoss,
    ...(best.validLoss === undefined ? {} : { valid_loss: best.validLoss }),
    ...(validAuc === undefined ? {} : { valid_auc: validAuc }),
    train_positive_rate: baseRate,
    seconds: (Date.now() - started) / 1000,
  });
  console.log(`kept epoch ${bestEpoch} (lowest ${best.validLoss === undefined ? 'train' : 'validation'} loss)` +
    (validAuc === undefined ? '' : `, validation AUC ${validAuc.toFixed(4)}`) +
    `; wrote ${MODEL_PATH} (${bytes.length} bytes) and ${METRICS_PATH}`);
});
