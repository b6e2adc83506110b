// The host side of a chart's history request: reads the runs' metric histories from the run store and
// downsamples them onto one grid (core/runs/series.ts), so only buckets cross to the webview. Every zoom or
// pan asks again, so finished runs' histories are kept (up to a point budget) instead of re-read from disk;
// a running run's histories still grow and are read fresh each time.
import type { RunStore } from './store';
import type { MetricPoint, RunRecord } from './types';
import { downsampleAll, type SeriesBuckets, type XAxis } from './series';

export interface HistoryBucketsRequest {
  runIds: readonly string[];
  key: string;
  x: XAxis;
  buckets: number;
  range?: [number, number];
}

/** Most buckets a request may ask for per run: more than a 4K screen has pixels is never drawn. */
export const MAX_BUCKETS = 4096;

export class HistoryBuckets {
  private readonly cache = new Map<string, RunRecord['histories']>();
  private cachedPoints = 0;

  constructor(
    private readonly store: Pick<RunStore, 'get'>,
    /** Points kept in memory across finished runs (~40 bytes each). */
    private readonly maxPoints = 5_000_000,
  ) {}

  async answer(req: HistoryBucketsRequest): Promise<SeriesBuckets[]> {
    const buckets = Math.min(MAX_BUCKETS, Math.max(1, Math.floor(Number(req.buckets) || 0)));
    const histories = await Promise.all(req.runIds.map(async (runId) => ({ runId, points: (await this.histories(runId))?.[req.key] ?? [] })));
    return downsampleAll(histories, req.key, req.x, buckets, req.range);
  }

  /** The metric keys that have a history in any of the runs, sorted. */
  async keys(runIds: readonly string[]): Promise<string[]> {
    const keys = new Set<string>();
    // Asked together, so a source that batches (MLflow's, one CLI child for the selection) sees them at once.
    for (const h of await Promise.all(runIds.map((runId) => this.histories(runId)))) for (const [key, points] of Object.entries(h ?? {})) if (points.length > 0) keys.add(key);
    return [...keys].sort();
  }

  /** A deleted or re-recorded run must not be answered from memory. */
  forget(runId: string): void {
    const h = this.cache.get(runId);
    if (!h) return;
    this.cachedPoints -= count(h);
    this.cache.delete(runId);
  }

  private async histories(runId: string): Promise<RunRecord['histories'] | undefined> {
    const hit = this.cache.get(runId);
    if (hit) {
      // Most recently used last, so eviction drops the oldest.
      this.cache.delete(runId);
      this.cache.set(runId, hit);
      return hit;
    }
    const record = await this.store.get(runId);
    if (!record) return undefined;
    if (record.status !== 'running') {
      this.cache.set(runId, record.histories);
      this.cachedPoints += count(record.histories);
      for (const [id, h] of this.cache) {
        if (this.cachedPoints <= this.maxPoints || id === runId) break;
        this.cachedPoints -= count(h);
        this.cache.delete(id);
      }
    }
    return record.histories;
  }
}

function count(h: Record<string, MetricPoint[]>): number {
  let n = 0;
  for (const points of Object.values(h)) n += points.length;
  return n;
}
