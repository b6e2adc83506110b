// Dynamic batching for the local endpoint, as Triton's dynamic batcher does it: requests that arrive while the
// runtime is busy, or within `windowMs` of each other, are stacked along dim 0 and run as one session.run,
// then each gets its own rows of the outputs back. With no window a lone request waits for nothing but one
// turn of the event loop, so batching costs nothing at low load. Native-free: the runner is passed in.
import type { FeedSpec } from '../model/ort-protocol';

export interface OutTensor {
  type: string;
  dims: readonly number[];
  data: ArrayLike<unknown>;
}

export type Runner = (feeds: FeedSpec[]) => Promise<Record<string, OutTensor>>;

export interface BatchResult {
  outputs: Record<string, OutTensor>;
  /** Rows in the run this request was part of. */
  batch: number;
}

export interface BatchOptions {
  enabled: boolean;
  /** Rows per run at most; a full batch runs at once. */
  maxBatch: number;
  /** How long the first queued request waits for company (0: only one event-loop turn). */
  windowMs: number;
}

interface Pending {
  rows: number;
  feeds: FeedSpec[];
  resolve: (r: BatchResult) => void;
  reject: (e: unknown) => void;
}

export class Batcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private scheduled = false;
  private running = false;

  constructor(private readonly run: Runner, private readonly options: BatchOptions) {}

  submit(rows: number, feeds: FeedSpec[]): Promise<BatchResult> {
    if (!this.options.enabled) return this.run(feeds).then((outputs) => ({ outputs, batch: rows }));
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, feeds, resolve, reject });
      this.queuedRows += rows;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return; // the run's end picks up what queued meanwhile
    if (this.queuedRows >= this.options.maxBatch) return void this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.options.windowMs > 0) setTimeout(go, this.options.windowMs);
    else setImmediate(go);
  }

  private flush(): void {
    if (this.running || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length && (batch.length === 0 || rows + this.queue[0]!.rows <= this.options.maxBatch)) {
      const next = this.queue.shift()!;
      batch.push(next);
      rows += next.rows;
    }
    this.queuedRows -= rows;
    this.running = true;
    this.run(batch.length === 1 ? batch[0]!.feeds : stack(batch.map((b) => b.feeds))).then(
      (outputs) => {
        let offset = 0;
        for (const p of batch) {
          p.resolve({ outputs: batch.length === 1 ? outputs : rowsOf(outputs, offset, p.rows, rows), batch: rows });
          offset += p.rows;
        }
      },
      (err) => batch.forEach((p) => p.reject(err)),
    ).finally(() => {
      this.running = false;
      if (this.queue.length) this.schedule();
    });
  }
}

/** Requests' feeds concatenated along dim 0, input by input. */
function stack(requests: FeedSpec[][]): FeedSpec[] {
  return requests[0]!.map((first, i) => {
    const data: FeedSpec['data'][number][] = [];
    let rows = 0;
    for (const feeds of requests) {
      const f = feeds[i]!;
      for (let k = 0; k < f.data.length; k++) data.push(f.data[k]!);
      rows += f.dims[0]!;
    }
    return { name: first.name, type: first.type, dims: [rows, ...first.dims.slice(1)], data: data as FeedSpec['data'] };
  });
}

/** One request's rows [offset, offset+rows) of each output, whose dim 0 is the whole batch. */
function rowsOf(outputs: Record<string, OutTensor>, offset: number, rows: number, total: number): Record<string, OutTensor> {
  const out: Record<string, OutTensor> = {};
  for (const [name, t] of Object.entries(outputs)) {
    const per = t.data.length / total;
    const data = t.data as unknown as { subarray?: (a: number, b: number) => ArrayLike<unknown>; slice: (a: number, b: number) => ArrayLike<unknown> };
    out[name] = { type: t.type, dims: [rows, ...t.dims.slice(1)], data: (data.subarray ?? data.slice).call(data, offset * per, (offset + rows) * per) };
  }
  return out;
}
