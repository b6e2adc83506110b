// A deployment's drift baseline as stored (`.flowbench/deployments/<name>/baseline.json`, written by
// baseline.ts in the CLI) and its reader for the host: this module loads nothing heavy.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { FeatureSpec } from './features';
import type { Histogram, NumericHistogram } from './histogram';

export interface Baseline {
  version: 1;
  runId: string;
  createdAt: string;
  features: Record<string, Histogram>;
  /** How each feature is read from a request's inputs (features.ts). */
  layout: FeatureSpec[];
  sources: Record<string, string>;
  prediction?: NumericHistogram;
  /** Training rows binned (the largest source). */
  rows: number;
  /** What could not be baselined, in words (drift is then not shown for it). */
  problems: string[];
}

export function baselinePath(stateDir: string, name: string): string {
  return join(stateDir, 'deployments', name, 'baseline.json');
}

/** A deployment's baseline, or undefined when it has none (deployed before baselines, or it failed). */
export async function readBaseline(stateDir: string, name: string): Promise<Baseline | undefined> {
  try {
    return JSON.parse(await fs.readFile(baselinePath(stateDir, name), 'utf8')) as Baseline;
  } catch {
    return undefined;
  }
}
