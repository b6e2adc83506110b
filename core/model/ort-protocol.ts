// What core/model/ort-client.ts sends to the ONNX Runtime worker process (ort-worker.ts) and gets back:
// one JSON request on stdin, one JSON answer on stdout. Plain data so the host side stays native-free.

/** A tensor to feed: `data` row-major, `dims.reduce(*)` values; int64 values as JSON numbers. */
export interface FeedSpec {
  name: string;
  type: string;
  dims: number[];
  data: (number | string | boolean)[];
}

export type OrtRequest =
  | { op: 'metadata'; file: string }
  /** `fetches`: the outputs to return (default all); `maxValues`: keep at most this many values per output. */
  | { op: 'run'; file: string; feeds: FeedSpec[]; fetches?: string[]; maxValues?: number };

/** onnxruntime-node's InferenceSession.ValueMetadata as plain data. */
export interface RuntimeValue {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: (number | string)[];
}

export interface OutputValue {
  name: string;
  type: string;
  dims: number[];
  /** The first `maxValues` values; int64 beyond 2^53 as strings. */
  data: (number | string | boolean)[];
  /** How many values the output holds. */
  total: number;
}

export type OrtAnswer =
  | { ok: true; op: 'metadata'; inputs: RuntimeValue[]; outputs: RuntimeValue[] }
  | { ok: true; op: 'run'; outputs: OutputValue[]; loadMs: number; runMs: number }
  | { ok: false; error: string };
