// The ONNX Runtime worker: a process of its own (bundled to dist/ort-worker.js) that loads a model in an
// InferenceSession, so a model that crashes or hangs the runtime takes only this process down, never the
// CLI or the extension host. Reads one OrtRequest from stdin, writes one OrtAnswer to stdout.
import * as ort from 'onnxruntime-node';
import type { OrtAnswer, OrtRequest, OutputValue, RuntimeValue } from './ort-protocol';
import { plain, tensorOf } from './ort-tensors';

function runtimeValues(metadata: readonly ort.InferenceSession.ValueMetadata[]): RuntimeValue[] {
  return metadata.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false }));
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
