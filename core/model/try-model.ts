// "Try it": one inference in the ONNX Runtime worker on feeds built from the signature (try-inputs.ts).
// Sequence and map outputs (a ZipMap's) cannot cross into JavaScript in onnxruntime-node, so only tensor
// outputs are fetched; the others are listed as skipped.
import { askOrt } from './ort-client';
import type { FeedSpec, OutputValue } from './ort-protocol';
import type { OnnxInspection } from './onnx-types';
import { tryFeeds, type Fill } from './try-inputs';

export interface TryOptions {
  inputs?: Record<string, unknown>;
  fill?: Fill;
  seed?: number;
  timeoutMs?: number;
  /** Values kept per output (default 100). */
  maxValues?: number;
}

export type TryResult =
  | { ok: true; feeds: FeedSpec[]; outputs: OutputValue[]; skipped: { name: string; type: string }[]; loadMs: number; runMs: number }
  | { ok: false; feeds: FeedSpec[]; error: string };

/** Throws TryInputError when the given inputs do not fit the signature; runtime failures come back as `ok: false`. */
export async function tryModel(inspection: OnnxInspection, options: TryOptions = {}): Promise<TryResult> {
  const feeds = tryFeeds(inspection.inputs, options.inputs, options.fill, options.seed);
  const tensor = (type: string) => /^[a-z0-9]+$/.test(type);
  const fetches = inspection.outputs.filter((o) => tensor(o.type)).map((o) => o.name);
  const skipped = inspection.outputs.filter((o) => !tensor(o.type)).map((o) => ({ name: o.name, type: o.type }));
  if (fetches.length === 0) return { ok: false, feeds, error: 'the model has no tensor output to show (onnxruntime-node returns tensors only)' };
  const answer = await askOrt({ op: 'run', file: inspection.file, feeds, fetches, maxValues: options.maxValues ?? 100 }, options.timeoutMs);
  if (!answer.ok) return { ok: false, feeds, error: answer.error };
  if (answer.op !== 'run') return { ok: false, feeds, error: 'the ONNX Runtime worker answered another question' };
  return { ok: true, feeds, outputs: answer.outputs, skipped, loadMs: answer.loadMs, runMs: answer.runMs };
}
