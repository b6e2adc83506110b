// The ONNX Runtime worker: a process of its own (bundled to dist/ort-worker.js) that loads a model in an
// InferenceSession, so a model that crashes or hangs the runtime takes only this process down, never the
// CLI or the extension host. Reads one OrtRequest from stdin, writes one OrtAnswer to stdout.
import * as ort from 'onnxruntime-node';
import type { FeedSpec, OrtAnswer, OrtRequest, OutputValue, RuntimeValue } from './ort-protocol';

function runtimeValues(metadata: readonly ort.InferenceSession.ValueMetadata[]): RuntimeValue[] {
  return metadata.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false }));
}

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

const TYPED: Record<string, (data: FeedSpec['data']) => ort.Tensor['data']> = {
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

function tensorOf(feed: FeedSpec): ort.Tensor {
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
function plain(v: unknown, float32: boolean): number | string | boolean {
  if (typeof v === 'number') return !Number.isFinite(v) ? String(v) : float32 ? shortFloat32(v) : v;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v as number | string | boolean;
}

function outputValue(name: string, value: ort.OnnxValue, maxValues: number | undefined): OutputValue {
  const data = value.data as ArrayLike<unknown>;
  const kept = maxValues === undefined ? data.length : Math.min(maxValues, data.length);
  const out: (number | string | boolean)[] = [];
  for (let i = 0; i < kept; i++) out.push(value.type === 'bool' ? Boolean(data[i]) : plain(data[i], value.type === 'float32'));
  return { name, type: value.type, dims: [...value.dims], data: out, total: data.length };
}

async function answer(request: OrtRequest): Promise<OrtAnswer> {
  const loadStart = performance.now();
  const session = await ort.InferenceSession.create(request.file);
  const loadMs = performance.now() - loadStart;
  try {
    if (request.op === 'metadata') {
      return { ok: true, op: 'metadata', inputs: runtimeValues(session.inputMetadata), outputs: runtimeValues(session.outputMetadata) };
    }
    const feeds = Object.fromEntries(request.feeds.map((f) => [f.name, tensorOf(f)]));
    const fetches = request.fetches ?? session.outputNames;
    const runStart = performance.now();
    const results = await session.run(feeds, [...fetches]);
    const runMs = performance.now() - runStart;
    return { ok: true, op: 'run', loadMs, runMs, outputs: fetches.map((name) => outputValue(name, results[name]!, request.maxValues)) };
  } finally {
    await session.release();
  }
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  let reply: OrtAnswer;
  try {
    reply = await answer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OrtRequest);
  } catch (err) {
    reply = { ok: false, error: ((err as Error)?.message ?? String(err)).trim() };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}

void main();
