// Types for classifier.mjs (the TypeScript tests import it).
export interface Layer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs][outputs]. */
  weights: ArrayLike<number>;
  bias: ArrayLike<number>;
}
export interface Matrix {
  data: Float32Array;
  rows: number;
  width: number;
}
export interface ClassifierModel {
  mean: ArrayLike<number>;
  scale: ArrayLike<number>;
  layers: Layer[];
}
/** What training returns: float32 parameters, ready for the ONNX writer. */
export interface TrainedModel {
  mean: Float32Array;
  scale: Float32Array;
  layers: { inputs: number; outputs: number; weights: Float32Array; bias: Float32Array }[];
}
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validLoss?: number;
  seconds: number;
}
export function seededRandom(seed: number): () => number;
export function predict(model: ClassifierModel, matrix: Matrix): Float32Array;
export function trainClassifier(
  train: Matrix,
  labels: ArrayLike<number>,
  options: {
    normalization: { mean: ArrayLike<number>; scale: ArrayLike<number> };
    hidden: number;
    learningRate: number;
    epochs: number;
    batchSize: number;
    l2: number;
    seed: number;
    validation?: { matrix: Matrix; labels: ArrayLike<number> };
    onEpoch?: (e: EpochReport) => void;
  },
): { model: TrainedModel; history: EpochReport[]; bestEpoch: number };
