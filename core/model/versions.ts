// The Models view's data: per flow, one version per distinct model hash (newest run that produced it
// first), from the run records' artifacts. Native-free, so the extension host lists it in-process.
import { resolve } from 'node:path';
import type { RunStore } from '../runs/store';
import type { ModelVersion } from './card-types';

/** Runs read per flow; older model versions than this many runs back are not listed. */
const RUNS_SCANNED = 500;

export async function modelVersions(store: Pick<RunStore, 'list' | 'get'>, flow: string, flowRoot: string, modelPath: string): Promise<ModelVersion[]> {
  const target = resolve(flowRoot, modelPath);
  const bySha = new Map<string, ModelVersion>();
  for (const summary of await store.list({ flow, limit: RUNS_SCANNED })) {
    const record = await store.get(summary.id).catch(() => undefined);
    const artifact = record?.artifacts.find((a) => resolve(flowRoot, a.path) === target);
    if (!record || !artifact) continue;
    const seen = bySha.get(artifact.sha256);
    if (seen) {
      seen.runs++;
      continue;
    }
    bySha.set(artifact.sha256, {
      flow,
      flowFile: record.flowFile,
      sha256: artifact.sha256,
      size: artifact.size,
      run: record.id,
      created: record.end ?? record.start,
      runs: 1,
      metrics: record.metrics,
    });
  }
  return [...bySha.values()].sort((a, b) => b.created - a.created);
}
