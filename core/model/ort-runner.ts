// The ModelRunner of `flowbench card`: ONNX Runtime (onnxruntime-node), loaded lazily in the CLI process.
// The extension host never imports this module: it asks the CLI for a card, so a crashing or slow native
// session can only end that child process.
import type { Feed, ModelRunner } from './checks';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

const ARRAYS: Record<string, (data: Feed['data']) => unknown> = {
  float32: (d) => Float32Array.from(d as number[]),
  float64: (d) => Float64Array.from(d as number[]),
  double: (d) => Float64Array.from(d as number[]),
  int32: (d) => Int32Array.from(d as number[]),
  int64: (d) => BigInt64Array.from((d as number[]).map((v) => BigInt(Math.round(v)))),
  bool: (d) => Uint8Array.from((d as number[]).map((v) => (v ? 1 : 0))),
  string: (d) => d.map(String),
};

export function ortRunner(): ModelRunner & { close(): Promise<void> } {
  let ort: Ort | undefined;
  const sessions = new Map<string, Promise<Session>>();
  const session = async (file: string) => {
    if (!ort) {
      const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
      ort = mod.default ?? mod;
    }
    let s = sessions.get(file);
    if (!s) {
      s = ort.InferenceSession.create(file);
      sessions.set(file, s);
    }
    return s;
  };
  return {
    async run(file, feeds, output) {
      const s = await session(file);
      const tensors: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const [name, feed] of Object.entries(feeds)) {
        const make = ARRAYS[feed.type];
        if (!make) throw new Error(`input '${name}' has element type ${feed.type}, which checks cannot feed (float32, float64, int32, int64, bool or string)`);
        tensors[name] = new ort!.Tensor(feed.type === 'double' ? 'float64' : (feed.type as 'float32'), make(feed.data) as Float32Array, feed.dims);
      }
      const result = await s.run(tensors, [output]);
      const tensor = result[output];
      if (!tensor || typeof tensor.data === 'string' || !('length' in tensor.data)) throw new Error(`output '${output}' is not a numeric tensor`);
      return { dims: [...tensor.dims], data: Array.from(tensor.data as ArrayLike<number | bigint>, Number) };
    },
    async close() {
      for (const s of sessions.values()) await (await s.catch(() => undefined))?.release();
      sessions.clear();
    },
  };
}
