// Types for features.mjs (the TypeScript tests import it).
import type { Matrix } from './classifier.mjs';

export const OTHER: string;
export interface Table {
  rows: number;
  columns: Record<string, unknown[]>;
}
export type FeatureSpec = { column: string; kind: 'numeric' | 'onehot'; top?: number };
export type EncodedColumn =
  | { column: string; kind: 'numeric'; mean: number; scale: number }
  | { column: string; kind: 'onehot'; values: string[] };
export interface Encoder {
  version: 1;
  columns: EncodedColumn[];
}
export function fitEncoder(table: Table, spec: FeatureSpec[]): Encoder;
export function featureNames(encoder: Encoder): string[];
export function normalization(encoder: Encoder): { mean: number[]; scale: number[] };
export function encode(encoder: Encoder, table: Table): Matrix;
