// A sweep's queue on disk: .flowbench/sweeps/<id>/queue.json, replaced atomically on every change, so a
// restart (or `flowbench sweep --resume` after a SIGKILL) finds the variants and their params. Whether a
// variant is finished is not taken from here but from the run store: exactly when a final record
// (succeeded or failed) tagged with the sweep's id and the variant exists. The queue's states are for
// progress views, and may lag a killed process by one variant.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonSync, writeJsonAtomicSync } from '../engine/atomic';
import type { SweepSpec } from './expand';

export type VariantState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface QueuedVariant {
  index: number;
  params: Record<string, unknown>;
  state: VariantState;
  runId?: string;
}

export interface SweepQueue {
  version: 1;
  id: string;
  name: string;
  /** The project's flow file. */
  flowFile: string;
  spec: SweepSpec;
  /** `--set` values every variant shares. */
  overrides: Record<string, unknown>;
  created: number;
  variants: QueuedVariant[];
}

export function sweepsDir(stateDir: string): string {
  return path.join(stateDir, 'sweeps');
}

export function queueFile(stateDir: string, id: string): string {
  return path.join(sweepsDir(stateDir), id, 'queue.json');
}

export function writeQueue(stateDir: string, queue: SweepQueue): void {
  writeJsonAtomicSync(queueFile(stateDir, queue.id), queue);
}

export function readQueue(stateDir: string, id: string): SweepQueue | undefined {
  const q = readJsonSync<SweepQueue>(queueFile(stateDir, id));
  return q?.version === 1 && q.id === id && Array.isArray(q.variants) ? q : undefined;
}

/** Every readable queue, newest first (ids sort by creation time). */
export function listQueues(stateDir: string): SweepQueue[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(sweepsDir(stateDir));
  } catch {
    return [];
  }
  return ids.sort().reverse().map((id) => readQueue(stateDir, id)).filter((q): q is SweepQueue => q !== undefined);
}
