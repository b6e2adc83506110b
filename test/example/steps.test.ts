// The example's SQL and step scripts on a small real sample: train and evaluate run as child processes
// with the environment flowbench gives them, write what they promise, and fail clearly on bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { renderTemplate } from '../../core/sql/template';

const EXAMPLE = resolve('examples/flight-delays');
const PYTHON = '/usr/bin/python3';
const pythonReady = spawnSync(PYTHON, ['-c', 'import numpy, sklearn, onnx'], { encoding: 'utf8' }).status === 0;
const sqlLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;

let dir = '';
let features = '';
let inverted = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowbench-example-'));
  features = join(dir, 'features.parquet');
  inverted = join(dir, 'inverted.parquet');
  const sources: Record<string, string> = {
    flights: `read_parquet(${sqlLiteral(join(EXAMPLE, 'data/flights-3m.parquet'))})`,
    airports: `read_csv_auto(${sqlLiteral(join(EXAMPLE, 'data/airports.csv'))})`,
  };
  const render = (file: string) =>
    renderTemplate(readFileSync(join(EXAMPLE, 'sql', file), 'utf8'), (call) => {
      if (call.fn === 'source') return sources[call.args[1]!]!;
      if (call.fn === 'ref') return call.args[0]!;
      if (call.fn === 'param' && call.args[0] === 'sample_per_mille') return '15'; // 1.5% of 3M flights
      throw new Error(`unexpected template call ${call.fn}(${call.args})`);
    });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`CREATE TABLE staging AS ${render('staging.sql')}`);
  await db.run(`CREATE TABLE features AS ${render('features.sql')}`);
  await db.run(`COPY features TO ${sqlLiteral(features)} (FORMAT parquet)`);
  // test labels flipped: whatever the model learned now ranks test flights backwards
  await db.run(`COPY (SELECT * REPLACE (CASE WHEN split = 'test' THEN 1 - delayed ELSE delayed END AS delayed) FROM features)
    TO ${sqlLiteral(inverted)} (FORMAT parquet)`);
  db.closeSync();
  instance.closeSync();
});

after(() => rmSync(dir, { recursive: true, force: true }));

function step(script: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const interpreter = script.endsWith('.py') ? PYTHON : process.execPath;
  const res = spawnSync(interpreter, [join(EXAMPLE, 'steps', script), ...args], {
    cwd,
    env: { ...process.env, FLOWBENCH_METRICS_LOG: '', ...env },
    encoding: 'utf8',
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('train writes a model, final metrics and a per-epoch loss history; evaluate beats the baseline', () => {
  const cwd = mkdtempSync(join(dir, 'ok-'));
  const log = join(cwd, 'metrics.jsonl');
  const trained = step('train.mjs', ['--epochs', '3', '--hidden', '8', '--learning-rate', '0.003'], cwd,
    { FLOWBENCH_INPUT_FEATURES: features, FLOWBENCH_METRICS_LOG: log });
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /read \d+ training and \d+ validation rows/);
  assert.match(trained.stdout, /epoch 3\/3 {2}train_loss 0\.\d+ {2}valid_loss 0\.\d+/);
  assert.ok(existsSync(join(cwd, 'models/model.onnx')));
  const train = readJson(join(cwd, 'metrics/train.json'));
  assert.ok(train.train_rows > 20000 && train.valid_rows > 2000, JSON.stringify(train));
  assert.ok(train.valid_auc > 0.6, `validation AUC ${train.valid_auc}`);
  const points = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(points.filter((p) => p.name === 'train_loss').map((p) => p.step), [1, 2, 3]);
  assert.deepEqual(points.filter((p) => p.name === 'valid_loss').map((p) => p.step), [1, 2, 3]);

  const evaluated = step('evaluate.mjs', ['--threshold', '0.3', '--top-origins', '5', '--min-slice-rows', '20'], cwd,
    { FLOWBENCH_INPUT_FEATURES: features });
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /scoring \d+ test rows/);
  const report = readJson(join(cwd, 'metrics/eval.json'));
  assert.ok(report.test_rows > 5000);
  assert.ok(report.model.log_loss < report.baseline.log_loss, JSON.stringify(report));
  assert.ok(report.model.auc > report.baseline.auc + 0.05, JSON.stringify(report));
  assert.equal(report.baseline.auc, 0.5);
  for (const key of ['accuracy', 'precision', 'recall']) assert.ok(report.model[key] > 0 && report.model[key] < 1, key);
  const slices = readJson(join(cwd, 'metrics/slices.json'));
  assert.equal(slices.by_origin.length, 5);
  const origins = slices.by_origin.map((s: { rows: number }) => s.rows);
  assert.deepEqual(origins, [...origins].sort((a, b) => b - a));
  const hours = slices.by_hour_of_day.map((s: { hour_of_day: number }) => s.hour_of_day);
  assert.deepEqual(hours, [...hours].sort((a, b) => a - b));
  assert.ok(hours.length >= 15);
  assert.equal(slices.by_hour_of_day.reduce((n: number, s: { rows: number }) => n + s.rows, 0) <= report.test_rows, true);
});

test('evaluate fails with a clear message when the model does not beat the baseline', () => {
  const cwd = mkdtempSync(join(dir, 'worse-'));
  assert.equal(step('train.mjs', ['--epochs', '1', '--hidden', '0'], cwd, { FLOWBENCH_INPUT_FEATURES: inverted }).code, 0);
  const res = step('evaluate.mjs', [], cwd, { FLOWBENCH_INPUT_FEATURES: inverted });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /evaluate: error: the model does not beat the base-rate baseline: .*AUC 0\.\d+ is not above the baseline's 0\.5000/);
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
  // the numbers that explain the failure are still written
  assert.ok(readJson(join(cwd, 'metrics/eval.json')).model.auc < 0.5);
});

test('bad input fails with one clear line and no stack trace', () => {
  const cwd = mkdtempSync(join(dir, 'bad-'));
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['train.mjs', [], {}, /train: error: FLOWBENCH_INPUT_FEATURES is not set\. Run this step through flowbench with `inputs: \[features\]`/],
    ['train.mjs', [], { FLOWBENCH_INPUT_FEATURES: join(cwd, 'nope.parquet') }, /FLOWBENCH_INPUT_FEATURES points at .*nope\.parquet, which does not exist/],
    ['train.mjs', ['--epochs', 'ten'], { FLOWBENCH_INPUT_FEATURES: features }, /--epochs must be an integer >= 1 and <= 1000, got 'ten'/],
    ['train.mjs', ['--epoch', '3'], { FLOWBENCH_INPUT_FEATURES: features }, /Unknown option '--epoch'.*Options: --learning-rate --epochs/],
    ['train.mjs', [], { FLOWBENCH_INPUT_FEATURES: join(EXAMPLE, 'data/flights-3m.parquet') }, /flights-3m\.parquet lacks column\(s\) hour_of_day/],
    ['evaluate.mjs', [], { FLOWBENCH_INPUT_FEATURES: features }, /evaluate: error: models\/model\.onnx does not exist; run the train step first/],
  ];
  for (const [script, args, env, message] of cases) {
    const res = step(script, args, cwd, env);
    assert.equal(res.code, 1, `${script} ${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, message);
    assert.doesNotMatch(res.stderr, /\n\s+at /, `no stack trace: ${res.stderr}`);
  }
  assert.ok(!existsSync(join(cwd, 'models')), 'failed runs leave no model behind');
});

test('the Python trainer writes a model that evaluate.mjs scores above the baseline', {
  skip: pythonReady ? false : `${PYTHON} lacks numpy/scikit-learn/onnx (apt-get install python3-numpy python3-sklearn python3-onnx)`,
}, () => {
  const cwd = mkdtempSync(join(dir, 'python-'));
  const log = join(cwd, 'metrics.jsonl');
  const trained = step('train.py', ['--epochs', '2', '--hidden', '8'], cwd, { FLOWBENCH_INPUT_FEATURES: features, FLOWBENCH_METRICS_LOG: log });
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /epoch 2\/2 {2}train_loss 0\.\d+ {2}valid_loss 0\.\d+/);
  const points = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(points.filter((p) => p.name === 'train_loss').map((p) => p.step), [1, 2]);
  assert.ok(readJson(join(cwd, 'metrics/train.json')).valid_auc > 0.6);
  const evaluated = step('evaluate.mjs', [], cwd, { FLOWBENCH_INPUT_FEATURES: features });
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = readJson(join(cwd, 'metrics/eval.json'));
  assert.ok(report.model.log_loss < report.baseline.log_loss && report.model.auc > 0.6, JSON.stringify(report.model));

  const missing = step('train.py', [], cwd, {});
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /train\.py: error: FLOWBENCH_INPUT_FEATURES is not set/);
  assert.doesNotMatch(missing.stderr, /Traceback/);
});
