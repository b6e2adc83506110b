// ONNX inspection of a large model: a MatMul whose weight initializer makes the file 500 MB (quick mode:
// 20 MB), written streamingly to a temp folder. inspectOnnx must keep its peak memory well below the file's
// size. Measured in child processes (peak RSS from process.resourceUsage): inspectOnnx; the baseline of the
// same run, onnx-proto decoding the whole file (what inspecting without the streaming walker costs); a plain
// read of the file into memory; and an idle process with the same modules loaded (the floor of every figure).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { inspectOnnx } from '../../core/model/onnx-inspect';
import { atMost, runBench, size } from './harness';

const MB = 1024 * 1024;

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

const field = (number: number, bytes: Uint8Array) => Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);

/** X [N, rows] × W [rows, 256] float32, W's raw_data streamed in 4 MiB chunks: the file never sits in memory. */
function writeBigModel(file: string, bytes: number): number {
  const cols = 256;
  const rows = Math.floor(bytes / (4 * cols));
  const dataBytes = rows * cols * 4;
  const T = onnx.TensorProto.DataType;
  const type = (dims: (number | string)[]) => ({ tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } });
  const header = onnx.TensorProto.encode({ name: 'W', dims: [rows, cols], dataType: T.FLOAT }).finish();
  const tensorHead = Buffer.concat([header, varint(9 * 8 + 2), varint(dataBytes)]);
  const tensorLength = tensorHead.length + dataBytes;
  const before = field(1, onnx.NodeProto.encode({ opType: 'MatMul', input: ['X', 'W'], output: ['Y'] }).finish());
  const after = Buffer.concat([
    field(11, onnx.ValueInfoProto.encode({ name: 'X', type: type(['N', rows]) }).finish()),
    field(12, onnx.ValueInfoProto.encode({ name: 'Y', type: type(['N', cols]) }).finish()),
  ]);
  const initHead = Buffer.concat([varint(5 * 8 + 2), varint(tensorLength), tensorHead]);
  const graphLength = before.length + initHead.length + dataBytes + after.length;
  const modelHead = Buffer.concat([
    Buffer.from([0x08, 8]), // ir_version 8
    field(8, onnx.OperatorSetIdProto.encode({ domain: '', version: 13 }).finish()),
    varint(7 * 8 + 2), varint(graphLength), before, initHead,
  ]);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, modelHead);
    const chunk = Buffer.alloc(4 * MB, 0x3f);
    for (let left = dataBytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
    writeSync(fd, after);
  } finally {
    closeSync(fd);
  }
  return rows * cols;
}

interface Measure {
  ms: number;
  rssMb: number;
}

/** One measurement in a fresh process: the bench file itself with `child MODE FILE`. */
function inChild(mode: string, file: string): Measure {
  const res = spawnSync(process.execPath, ['--import', 'tsx', __filename, 'child', mode, file], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (res.status !== 0) throw new Error(`${mode} child failed (${res.status ?? res.signal}): ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Measure;
}

async function child(mode: string, file: string): Promise<void> {
  const t0 = performance.now();
  let check = 0;
  if (mode === 'inspect') {
    const m = await inspectOnnx(file);
    if (m.problems.length || m.initializers !== 1) throw new Error(`unexpected inspection: ${JSON.stringify(m.problems)}`);
    check = m.parameters;
  } else if (mode === 'decode') {
    const model = onnx.ModelProto.decode(readFileSync(file));
    check = model.graph!.initializer!.length;
  } else if (mode === 'read') {
    check = readFileSync(file).length;
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, check }) + '\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-onnx-bench-'));
  try {
    const file = join(dir, 'big.onnx');
    const target = size(500, 20) * MB;
    const t0 = performance.now();
    const parameters = writeBigModel(file, target);
    const sizeMb = statSync(file).size / MB;
    console.log(`model: MatMul with a ${parameters.toLocaleString('en-US')}-parameter initializer, ${sizeMb.toFixed(0)} MB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Sanity in this process: the walk finds the one initializer and its parameters.
    const m = await inspectOnnx(file);
    if (m.parameters !== parameters || m.problems.length) throw new Error(`inspection disagrees with the writer: ${JSON.stringify(m)}`);

    const idle = inChild('idle', file);
    const inspect = inChild('inspect', file);
    const read = inChild('read', file);
    const decode = inChild('decode', file);
    const show = (label: string, r: Measure) => console.log(`${label.padEnd(34)} ${r.ms.toFixed(0).padStart(7)} ms   peak RSS ${r.rssMb.toFixed(0).padStart(5)} MB  (${(r.rssMb / sizeMb).toFixed(2)}× the file)`);
    show('idle process (modules loaded)', idle);
    show('inspectOnnx (streaming walk)', inspect);
    show('baseline: read the file whole', read);
    show('baseline: onnx-proto decode whole', decode);
    const added = inspect.rssMb - idle.rssMb;
    console.log(`inspectOnnx adds ${added.toFixed(1)} MB over an idle process; onnx-proto decoding adds ${(decode.rssMb - idle.rssMb).toFixed(0)} MB ` +
      `(${((decode.rssMb - idle.rssMb) / Math.max(added, 1)).toFixed(0)}× more); inspect is ${(decode.ms / inspect.ms).toFixed(1)}× faster than decoding`);
    // Targets: peak memory well below the model's size. The whole process (Node, tsx, onnx-proto: ~80 MB
    // before any work) at most a quarter of it; what inspecting adds to that at most 5% of it.
    console.log(`inspectOnnx peak RSS / model size: ${(inspect.rssMb / sizeMb).toFixed(3)} (target ≤ 0.25) ${atMost(inspect.rssMb / sizeMb, 0.25)}`);
    console.log(`inspectOnnx added RSS / model size: ${(added / sizeMb).toFixed(3)} (target ≤ 0.05) ${atMost(added / sizeMb, 0.05)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') {
  child(process.argv[3]!, process.argv[4]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else runBench(main);
