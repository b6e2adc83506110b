// Log loss, AUC and threshold metrics against small cases worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auc, logLoss, summarize, thresholdMetrics } from '../../examples/flight-delays/steps/lib/metrics.mjs';

const close = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tol, `${actual} is not ${expected}`);

test('log loss is the mean negative log-likelihood of the true labels', () => {
  // -(ln 0.8 + ln 0.6) / 2
  close(logLoss([1, 0], [0.8, 0.4]), (0.2231435513142097 + 0.5108256237659907) / 2);
  close(logLoss([0, 1, 1], [0.5, 0.5, 0.5]), Math.LN2);
});

test('log loss clips certain mistakes to a large finite cost', () => {
  const cost = logLoss([1, 0], [0, 1]);
  assert.ok(Number.isFinite(cost));
  close(cost, -Math.log(1e-7), 1e-6);
});

test('AUC counts correctly ordered positive/negative pairs', () => {
  // pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3 of 4
  close(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  close(auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]), 1);
  close(auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]), 0);
});

test('AUC counts tied scores as half a win', () => {
  // pos 0.5 vs neg 0.5 ties (0.5), pos 0.5 > 0.2, pos 0.9 > 0.5, pos 0.9 > 0.2 -> 3.5 of 4
  close(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875);
  close(auc([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]), 0.5);
});

test('AUC is undefined with one class, and mismatched inputs are refused', () => {
  assert.ok(Number.isNaN(auc([1, 1], [0.2, 0.9])));
  assert.throws(() => auc([1, 0], [0.5]), /2 labels but 1 predictions/);
  assert.throws(() => logLoss([], []), /no rows/);
});

test('threshold metrics from the confusion matrix', () => {
  // predicted positive: 0.9 (tp), 0.6 (fp), 0.5 (tp); missed: 0.2 (fn); 0.1 (tn)
  const m = thresholdMetrics([1, 1, 0, 0, 1], [0.9, 0.2, 0.6, 0.1, 0.5], 0.5);
  close(m.accuracy, 3 / 5);
  close(m.precision, 2 / 3);
  close(m.recall, 2 / 3);
  assert.deepEqual(thresholdMetrics([1, 0], [0.1, 0.1], 0.5), { accuracy: 0.5, precision: 0, recall: 0 });
});

test('summarize reports rates next to the scores', () => {
  const s = summarize([1, 0, 0, 0], [0.7, 0.1, 0.2, 0.2], 0.5);
  assert.equal(s.rows, 4);
  close(s.positive_rate, 0.25);
  close(s.mean_prediction, 0.3);
  close(s.auc, 1);
  close(s.accuracy, 1);
});
