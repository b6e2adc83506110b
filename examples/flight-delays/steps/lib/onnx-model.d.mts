// Types for onnx-model.mjs (the TypeScript tests import it).
import type { Layer } from './classifier.mjs';

export const IR_VERSION: number;
export const OPSET: number;
export const INPUT_NAME: string;
export const OUTPUT_NAME: string;
export function encodeClassifier(model: {
  mean: ArrayLike<number>;
  scale: ArrayLike<number>;
  layers: Layer[];
  metadata?: Record<string, string>;
  docString?: string;
}): Uint8Array;
export function readMetadata(bytes: Uint8Array): Record<string, string>;
