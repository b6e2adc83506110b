// Dynamic batching for the local endpoint, with the policy of Triton's dynamic batcher: requests are stacked
// along dim 0 and run as one session.run, then each gets its own rows of the outputs back. An idle runtime
// runs a request at once; a busy one collects what arrives meanwhile and runs it all as the next batch the
// moment the current run ends, up to `maxBatch` rows a run. No timer: under load the batch grows with the
// queue, not with a window. ONNX Runtime starts a run a turn of the event loop later, so the requests read in
// the same turn as the one that found it idle make the next batch. `windowMs` > 0 is Triton's max queue
// delay: an idle runtime waits that long for company first (a busy one never waits again). Native-free: the
// runner is passed in.
import type { FeedSpec } from '../model/ort-protocol';

export interface OutTensor {
  type: string;
  dims: readonly number[];
  data: ArrayLike<unknown>;
}

/** A feed whose data may already be a typed array (stacked batches are built as one). */
export type Feed = Omit<FeedSpec, 'data'> & { data: FeedSpec['data'] | Float32Array | Float64Array | Int32Array };

export type Runner = (feeds: Feed[]) => Promise<Record<string, OutTensor>>;

export interface BatchResult {
  outputs: Record<string, OutTensor>;
  /** Rows in the run this request was part of. */
  batch: number;
}

export interface BatchOptions {
  enabled: boolean;
  /** Rows per run at most; a full queue runs at once. */
  maxBatch: number;
  /** How long an idle runtime waits for company (0: it does not). */
  windowMs: number;
}

interface Pending {
  rows: number;
  feeds: Feed[];
  resolve: (r: BatchResult) => void;
  reject: (e: unknown) => void;
}

export class Batcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private window: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly run: Runner, private readonly options: BatchOptions) {}

  submit(rows: number, feeds: Feed[]): Promise<BatchResult> {
    if (!this.options.enabled) return this.run(feeds).then((outputs) => ({ outputs, batch: rows }));
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, feeds, resolve, reject });
      this.queuedRows += rows;
      if (this.running) return; // the run's end takes what queued meanwhile
      if (this.queuedRows >= this.options.maxBatch || this.options.windowMs === 0) return void this.flush();
      this.wait();
    });
  }

  private wait(): void {
    this.window ??= setTimeout(() => this.flush(), this.options.windowMs);
  }

  private flush(): void {
    clearTimeout(this.window);
    this.window = undefined;
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
    this.run(batch.length === 1 ? batch[0]!.feeds : stack(batch.map((b) => b.feeds), rows)).then(
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
      this.flush();
    });
  }
}

const TYPED_STACKS: Record<string, new (n: number) => Float32Array | Float64Array | Int32Array> = { float32: Float32Array, float64: Float64Array, int32: Int32Array };

/** Requests' feeds concatenated along dim 0, input by input; numeric inputs straight into one typed array. */
function stack(requests: Feed[][], rows: number): Feed[] {
  return requests[0]!.map((first, i) => {
    const dims = [rows, ...first.dims.slice(1)];
    const Typed = TYPED_STACKS[first.type];
    if (Typed) {
      let size = 0;
      for (const feeds of requests) size += feeds[i]!.data.length;
      const data = new Typed(size);
      let at = 0;
      for (const feeds of requests) {
        const d = feeds[i]!.data as ArrayLike<number>;
        data.set(d, at);
        at += d.length;
      }
      return { name: first.name, type: first.type, dims, data };
    }
    const data: FeedSpec['data'][number][] = [];
    for (const feeds of requests) {
      const d = feeds[i]!.data;
      for (let k = 0; k < d.length; k++) data.push(d[k] as FeedSpec['data'][number]);
    }
    return { name: first.name, type: first.type, dims, data: data as FeedSpec['data'] };
  });
}

/** One request's rows [offset, offset+rows) of each output, whose dim 0 is the whole batch. */
function rowsOf(outputs: Record<string, OutTensor>, offset: number, rows: number, total: number): Record<string, OutTensor> {
  const out: Record<string, OutTensor> = {};
  for (const name in outputs) {
    const t = outputs[name]!;
    const per = t.data.length / total;
    const data = t.data as unknown as { subarray?: (a: number, b: number) => ArrayLike<unknown>; slice: (a: number, b: number) => ArrayLike<unknown> };
    out[name] = { type: t.type, dims: [rows, ...t.dims.slice(1)], data: (data.subarray ?? data.slice).call(data, offset * per, (offset + rows) * per) };
  }
  return out;
}
