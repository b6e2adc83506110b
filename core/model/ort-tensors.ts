// Between JSON-able values and ONNX Runtime tensors, for the processes that load the runtime (the ORT worker,
// the local endpoint): typed arrays per element type, float16 bits, and outputs back as plain numbers.
import * as ort from 'onnxruntime-node';
import type { FeedSpec } from './ort-protocol';

/** IEEE half precision bits of a number (round to nearest even), for float16 feeds. */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00 | (((x >>> 23) & 0xff) === 0xff && mant ? 0x200 : 0);
  if (exp <= 0) return exp < -10 ? sign : sign | ((mant | 0x800000) >> (14 - exp));
  const half = sign | (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half;
}

export const TYPED: Record<string, (data: FeedSpec['data']) => ort.Tensor['data']> = {
  float32: (d) => Float32Array.from(d as number[]),
  float64: (d) => Float64Array.from(d as number[]),
  int8: (d) => Int8Array.from(d as number[]),
  uint8: (d) => Uint8Array.from(d as number[]),
  int16: (d) => Int16Array.from(d as number[]),
  uint16: (d) => Uint16Array.from(d as number[]),
  int32: (d) => Int32Array.from(d as number[]),
  uint32: (d) => Uint32Array.from(d as number[]),
  int64: (d) => BigInt64Array.from(d as number[], (v) => BigInt(v)),
  uint64: (d) => BigUint64Array.from(d as number[], (v) => BigInt(v)),
  bool: (d) => Uint8Array.from(d, (v) => (v ? 1 : 0)),
  string: (d) => d.map(String),
  float16: (d) => Uint16Array.from(d as number[], toHalf),
};

export function tensorOf(feed: FeedSpec): ort.Tensor {
  const make = TYPED[feed.type];
  if (!make) throw new Error(`input '${feed.name}': ONNX Runtime for Node cannot take ${feed.type} tensors`);
  return new ort.Tensor(feed.type as ort.Tensor.Type, make(feed.data) as never, feed.dims);
}

/** The shortest decimal that reads back as the same float32 (0.1f is 0.1, not 0.100000001490116). */
function shortFloat32(v: number): number {
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}

/** A value JSON can carry: int64 beyond 2^53 and NaN/±Infinity as strings. */
export function plain(v: unknown, float32: boolean): number | string | boolean {
  if (typeof v === 'number') return !Number.isFinite(v) ? String(v) : float32 ? shortFloat32(v) : v;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v as number | string | boolean;
}
