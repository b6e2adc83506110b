// The local endpoint's request log (`.flowbench/deployments/<name>/requests.jsonl`, rotated to
// `requests.1.jsonl`; format in types.ts) read incrementally and turned into what the monitor shows:
// per-bucket request counts, errors and latency percentiles (MonitorSeries), and the drift of each input
// feature and of the predictions over the most recent requests. Pure TS, async fs only: it runs in the
// extension host. A torn line (a writer killed mid-line, or one still being written) is never an error:
// an unterminated tail waits for its newline, and a line that does not parse is counted and skipped.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Baseline } from './baseline-file';
import { featureDrift } from './drift';
import { featureColumns } from './features';
import type { FeatureDrift, MonitorSeries, RequestLogLine } from './types';

export const LOG_FILE = 'requests.jsonl';
export const ROTATED_FILE = 'requests.1.jsonl';
/** Bucket width of the series: fine enough to watch a load test live, 360 points an hour. */
export const BUCKET_MS = 10_000;
/** Buckets kept (older ones fall off): two hours at 10 s. */
export const MAX_BUCKETS = 720;
/** Drift looks at this many of the most recent successful requests. */
export const DRIFT_WINDOW = 2_000;

function isLogLine(v: unknown): v is RequestLogLine {
  const l = v as RequestLogLine;
  return !!l && typeof l === 'object' && typeof l.t === 'number' && typeof l.ms === 'number' && typeof l.status === 'number';
}

/** Complete lines of a chunk parsed; `bad` counts lines that were not a log entry. */
export function parseLines(text: string): { lines: RequestLogLine[]; bad: number } {
  const lines: RequestLogLine[] = [];
  let bad = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    try {
      const v: unknown = JSON.parse(raw);
      if (isLogLine(v)) lines.push(v);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { lines, bad };
}

/**
 * Reads what was appended to a deployment's log since the last call. Follows rotation: when
 * requests.jsonl is a new file, the rest of the old one is read from requests.1.jsonl first.
 */
export class RequestLogTail {
  private ino: number | undefined;
  private offset = 0;
  private pending = Buffer.alloc(0);
  /** Lines that did not parse, so far. */
  bad = 0;

  constructor(private readonly dir: string) {}

  async read(): Promise<RequestLogLine[]> {
    const current = join(this.dir, LOG_FILE);
    const cur = await fs.stat(current).catch(() => undefined);
    const out: RequestLogLine[] = [];
    if (this.ino === undefined || (cur && cur.ino !== this.ino)) {
      const rotated = join(this.dir, ROTATED_FILE);
      const old = await fs.stat(rotated).catch(() => undefined);
      // First read: the rotated file is all older history. Later: it is the file we were reading.
      if (old && (this.ino === undefined || old.ino === this.ino)) out.push(...(await this.readFrom(rotated, this.ino === undefined ? 0 : this.offset, true)));
      this.ino = cur?.ino;
      this.offset = 0;
      this.pending = Buffer.alloc(0);
    }
    if (!cur) return out;
    if (cur.size < this.offset) {
      this.offset = 0; // truncated in place
      this.pending = Buffer.alloc(0);
    }
    out.push(...(await this.readFrom(current, this.offset, false)));
    return out;
  }

  private async readFrom(file: string, offset: number, whole: boolean): Promise<RequestLogLine[]> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch {
      return [];
    }
    try {
      const { size } = await handle.stat();
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      const chunk = Buffer.concat([whole ? Buffer.alloc(0) : this.pending, buf.subarray(0, bytesRead)]);
      if (!whole) this.offset = offset + bytesRead;
      const end = chunk.lastIndexOf(0x0a);
      // A rotated file is finished: an unterminated tail there is torn for good and is dropped.
      if (!whole) this.pending = Buffer.from(chunk.subarray(end + 1));
      const { lines, bad } = parseLines(chunk.subarray(0, end + 1).toString('utf8'));
      this.bad += bad + (whole && end + 1 < chunk.length ? 1 : 0);
      return lines;
    } finally {
      await handle.close();
    }
  }
}

interface Bucket {
  requests: number;
  errors: number;
  latencies: number[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Buckets and the drift window over every line added; `delta()` gives only the buckets changed since the last call. */
export class MonitorAggregator {
  private readonly buckets = new Map<number, Bucket>();
  private readonly changed = new Set<number>();
  private recent: RequestLogLine[] = [];

  constructor(readonly bucketMs = BUCKET_MS) {}

  add(lines: RequestLogLine[]): void {
    for (const line of lines) {
      const start = Math.floor(line.t / this.bucketMs) * this.bucketMs;
      let b = this.buckets.get(start);
      if (!b) this.buckets.set(start, (b = { requests: 0, errors: 0, latencies: [] }));
      b.requests++;
      if (line.status >= 400) b.errors++;
      b.latencies.push(line.ms);
      this.changed.add(start);
      if (line.status < 400) this.recent.push(line);
    }
    if (this.recent.length > DRIFT_WINDOW * 2) this.recent = this.recent.slice(-DRIFT_WINDOW);
    if (this.buckets.size > MAX_BUCKETS) {
      const keep = new Set([...this.buckets.keys()].sort((a, b) => a - b).slice(-MAX_BUCKETS));
      for (const k of [...this.buckets.keys()]) if (!keep.has(k)) {
        this.buckets.delete(k);
        this.changed.delete(k);
      }
    }
  }

  /** Every bucket kept, oldest first. */
  series(): MonitorSeries {
    return this.seriesOf([...this.buckets.keys()]);
  }

  /** The buckets that gained requests since the last delta (or series) was taken. */
  delta(): MonitorSeries {
    const keys = [...this.changed];
    this.changed.clear();
    return this.seriesOf(keys);
  }

  private seriesOf(keys: number[]): MonitorSeries {
    keys.sort((a, b) => a - b);
    const s: MonitorSeries = { bucketMs: this.bucketMs, t: [], requests: [], errors: [], p50: [], p95: [], p99: [] };
    for (const k of keys) {
      const b = this.buckets.get(k)!;
      const sorted = [...b.latencies].sort((x, y) => x - y);
      s.t.push(k);
      s.requests.push(b.requests);
      s.errors.push(b.errors);
      s.p50.push(percentile(sorted, 50));
      s.p95.push(percentile(sorted, 95));
      s.p99.push(percentile(sorted, 99));
    }
    if (keys.length === this.buckets.size) this.changed.clear();
    return s;
  }

  /** The most recent successful requests, newest last. */
  window(): RequestLogLine[] {
    return this.recent.slice(-DRIFT_WINDOW);
  }
}

export interface DriftReport {
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  /** Successful requests the window held. */
  window: number;
}

export function driftOf(baseline: Pick<Baseline, 'features' | 'layout' | 'prediction'>, lines: RequestLogLine[]): DriftReport {
  const columns = featureColumns(baseline.layout, lines.map((l) => l.inputs ?? {}));
  const features = baseline.layout.flatMap((spec) => {
    const hist = baseline.features[spec.name];
    return hist ? [featureDrift(spec.name, hist, columns.get(spec.name)!)] : [];
  });
  const prediction = baseline.prediction && featureDrift('prediction', baseline.prediction, lines.map((l) => l.prediction));
  return { features, ...(prediction && { prediction }), window: lines.length };
}
