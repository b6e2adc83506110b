// The host side of a chart's history request: reads the chart's one metric history of each run (the run
// store parses only that key's lines: core/runs/history-file.ts) and downsamples them onto one grid
// (core/runs/series.ts), so only buckets cross to the webview. Every zoom or pan asks again, so finished runs'
// points are kept per run and key (up to a point budget) instead of re-read from disk; a running run's
// histories still grow and are read fresh each time.
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
  /** A finished run's points of one key, by `runId\0key`, least recently used first. */
  private readonly cache = new Map<string, MetricPoint[]>();
  private cachedPoints = 0;

  constructor(
    /** `get` with a key may hold only that key's history (the run store parses only its lines). */
    private readonly store: { get(runId: string, historyKey?: string): Promise<RunRecord | undefined> },
    /** Points kept in memory across finished runs (~40 bytes each). */
    private readonly maxPoints = 5_000_000,
  ) {}

  async answer(req: HistoryBucketsRequest): Promise<SeriesBuckets[]> {
    const buckets = Math.min(MAX_BUCKETS, Math.max(1, Math.floor(Number(req.buckets) || 0)));
    const histories = await Promise.all(req.runIds.map(async (runId) => ({ runId, points: await this.points(runId, req.key) })));
    return downsampleAll(histories, req.key, req.x, buckets, req.range);
  }

  /** The metric keys that have a history in any of the runs, sorted (for a source that cannot list them cheaper). */
  async keys(runIds: readonly string[]): Promise<string[]> {
    const keys = new Set<string>();
    // Asked together, so a source that batches (MLflow's, one CLI child for the selection) sees them at once.
    for (const r of await Promise.all(runIds.map((runId) => this.store.get(runId)))) for (const [key, points] of Object.entries(r?.histories ?? {})) if (points.length > 0) keys.add(key);
    return [...keys].sort();
  }

  /** A deleted or re-recorded run must not be answered from memory. */
  forget(runId: string): void {
    for (const [at, points] of this.cache) {
      if (!at.startsWith(`${runId}\0`)) continue;
      this.cachedPoints -= points.length;
      this.cache.delete(at);
    }
  }

  private async points(runId: string, key: string): Promise<MetricPoint[]> {
    const at = `${runId}\0${key}`;
    const hit = this.cache.get(at);
    if (hit) {
      // Most recently used last, so eviction drops the oldest.
      this.cache.delete(at);
      this.cache.set(at, hit);
      return hit;
    }
    const record = await this.store.get(runId, key);
    if (!record) return [];
    const points = record.histories[key] ?? [];
    if (record.status !== 'running') {
      this.cache.set(at, points);
      this.cachedPoints += points.length;
      for (const [other, kept] of this.cache) {
        if (this.cachedPoints <= this.maxPoints || other === at) break;
        this.cachedPoints -= kept.length;
        this.cache.delete(other);
      }
    }
    return points;
  }
}
