// Metrics from steps: the JSON-lines history file named by FLOWBENCH_METRICS_LOG (any language appends
// `{"name":"loss","value":0.41,"step":3}`), and the final-metrics JSON files a step declares in `metrics:`.
import * as fs from 'node:fs';

export interface MetricPoint {
  name: string;
  value: number;
  index: number;
  time: number;
}

/** How often a running step's metrics log is read for new lines. */
const POLL_MS = 250;

/**
 * Follows a metrics log while its step runs. A line without `step` gets the next index for its name;
 * a malformed line is reported through `warn` and skipped, never fatal.
 */
export class MetricsTail {
  private offset = 0;
  private partial = '';
  private lineNo = 0;
  private readonly counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onPoint: (p: MetricPoint) => void,
    private readonly warn: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  /** Reads what is left, including a last line without a newline. */
  stop(): void {
    clearInterval(this.timer);
    this.poll();
    if (this.partial.trim()) this.parse(this.partial);
    this.partial = '';
  }

  private poll(): void {
    // Most steps never write a metrics log: a stat that returns nothing is cheaper than a failed open.
    const size = fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= this.offset) return;
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return; // Removed since the stat; nothing to read.
    }
    try {
      const buffer = Buffer.allocUnsafe(size - this.offset);
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.toString('utf8', 0, read);
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.parse(line);
    } finally {
      fs.closeSync(fd);
    }
  }

  private parse(line: string): void {
    this.lineNo++;
    if (!line.trim()) return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      this.warn(`metrics log line ${this.lineNo} is not JSON, ignored: ${line.slice(0, 200)}`);
      return;
    }
    const r = rec as { name?: unknown; value?: unknown; step?: unknown; time?: unknown };
    if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || typeof r.value !== 'number' || !Number.isFinite(r.value)) {
      this.warn(`metrics log line ${this.lineNo} needs {"name": string, "value": number}, ignored: ${line.slice(0, 200)}`);
      return;
    }
    const counted = this.counts.get(r.name) ?? 0;
    const index = typeof r.step === 'number' && Number.isFinite(r.step) ? r.step : counted;
    this.counts.set(r.name, Math.max(counted, index + 1));
    const time = typeof r.time === 'number' && Number.isFinite(r.time) ? r.time : Date.now();
    this.onPoint({ name: r.name, value: r.value, index, time });
  }
}

/** Flattens a metrics JSON object to dotted names, keeping numbers (and booleans as 0/1). */
export function flattenMetrics(value: unknown, prefix = '', into: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) into[prefix] = value;
  else if (typeof value === 'boolean') into[prefix] = value ? 1 : 0;
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenMetrics(v, prefix ? `${prefix}.${k}` : k, into);
  }
  return into;
}

/** Reads a step's final-metrics file; throws a message fit for the user when it is absent or not JSON. */
export function readMetricsFile(abs: string, declared: string): Record<string, number> {
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    throw new Error(`declared metrics file ${declared} was not produced`);
  }
  try {
    return flattenMetrics(JSON.parse(text));
  } catch (err) {
    throw new Error(`metrics file ${declared} is not valid JSON: ${(err as Error).message}`);
  }
}
