// Binary classification metrics over parallel arrays of 0/1 labels and predicted probabilities.

// Probabilities are clipped so one confident mistake costs a large but finite amount.
const EPS = 1e-7;

function checkLengths(labels, probs) {
  if (labels.length !== probs.length) throw new Error(`${labels.length} labels but ${probs.length} predictions`);
  if (labels.length === 0) throw new Error('no rows to score');
}

/** Mean binary cross-entropy (natural log). */
export function logLoss(labels, probs) {
  checkLengths(labels, probs);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, probs[i]));
    total -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return total / labels.length;
}

/**
 * Area under the ROC curve as the Mann-Whitney statistic: the chance that a random positive scores above a
 * random negative, ties counting one half. NaN when only one class is present.
 */
export function auc(labels, probs) {
  checkLengths(labels, probs);
  const order = Array.from(probs.keys()).sort((a, b) => probs[a] - probs[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && probs[order[j + 1]] === probs[order[i]]) j++;
    const midRank = (i + j) / 2 + 1; // tied scores share the average of their 1-based ranks
    for (let k = i; k <= j; k++) {
      if (labels[order[k]]) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Accuracy, precision and recall of `prob >= threshold`; precision is 0 when nothing is predicted positive. */
export function thresholdMetrics(labels, probs, threshold) {
  checkLengths(labels, probs);
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = probs[i] >= threshold;
    if (predicted && labels[i]) tp++;
    else if (predicted) fp++;
    else if (labels[i]) fn++;
    else tn++;
  }
  return {
    accuracy: (tp + tn) / labels.length,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
  };
}

/** Everything the evaluation reports for one set of rows. */
export function summarize(labels, probs, threshold) {
  let positives = 0;
  let predicted = 0;
  for (let i = 0; i < labels.length; i++) {
    positives += labels[i] ? 1 : 0;
    predicted += probs[i];
  }
  return {
    rows: labels.length,
    positive_rate: positives / labels.length,
    mean_prediction: predicted / labels.length,
    log_loss: logLoss(labels, probs),
    auc: auc(labels, probs),
    ...thresholdMetrics(labels, probs, threshold),
  };
}
