// What an ONNX file declares — signature, opsets, operators, parameters, external data — read without
// running it and without reading its weights. The top-level ModelProto, its GraphProto and each initializer's
// header are walked field by field over the file (proto-reader.ts says why onnx-proto cannot do that part);
// the small sub-messages (nodes, inputs, outputs, opset imports, metadata) are decoded with onnx-proto.
// Native-free and never throws: a bad file comes back as problems, so the extension host may call it.
import { open, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { onnx } from 'onnx-proto';
import { elementBytes, elementName } from './onnx-elements';
import type { OnnxInspection, OnnxTensorInfo } from './onnx-types';
import { MalformedError, ProtoFileReader, TruncatedError, WIRE, type Field } from './proto-reader';

type Long = { toNumber(): number };
const num = (v: number | Long | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());
const opsetDomain = (domain: string | null | undefined) => (domain ? domain : 'ai.onnx');

/** The bytes are not an ONNX model at all (as opposed to one that is cut off or damaged). */
class NotOnnxError extends Error {}

// ModelProto fields and the wire type each must have (onnx.proto); others are skipped for forward compatibility.
const MODEL_FIELDS: Record<number, number> = { 1: WIRE.varint, 2: WIRE.bytes, 3: WIRE.bytes, 4: WIRE.bytes, 5: WIRE.varint, 6: WIRE.bytes, 7: WIRE.bytes, 8: WIRE.bytes, 14: WIRE.bytes, 20: WIRE.bytes, 25: WIRE.bytes };
const GRAPH_FIELDS: Record<number, number> = { 1: WIRE.bytes, 2: WIRE.bytes, 5: WIRE.bytes, 10: WIRE.bytes, 11: WIRE.bytes, 12: WIRE.bytes, 13: WIRE.bytes, 15: WIRE.bytes };

interface TensorHeader {
  name: string;
  dims: number[];
  dataType: number;
  /** Bytes of raw_data, or of the typed data fields; undefined when neither is present. */
  dataBytes?: number;
  rawBytes?: number;
  external: boolean;
  externalData: Record<string, string>;
}

/** What the walk collects besides the public result. */
interface Walk {
  result: OnnxInspection;
  sawGraph: boolean;
  recognised: boolean;
  initializerNames: Set<string>;
  operators: Map<string, { domain: string; op: string; count: number }>;
}

export async function inspectOnnx(path: string): Promise<OnnxInspection> {
  const result: OnnxInspection = {
    file: resolve(path), size: 0, irVersion: 0, opsets: [], inputs: [], outputs: [], metadata: {}, operators: [],
    initializers: 0, parameters: 0, parameterBytes: 0, externalData: [], problems: [],
  };
  const error = (message: string) => result.problems.push({ severity: 'error', message });
  const walk: Walk = { result, sawGraph: false, recognised: false, initializerNames: new Set(), operators: new Map() };
  let fh;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      error(`${path} is not a file${info.isDirectory() ? ' but a folder' : ''}: give the path of a .onnx file`);
      return result;
    }
    result.size = info.size;
    fh = await open(path, 'r');
  } catch (err) {
    error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    return result;
  }
  const reader = new ProtoFileReader(fh, result.size);
  let complete = false;
  try {
    await readModel(reader, walk);
    complete = true;
  } catch (err) {
    if (err instanceof NotOnnxError || (!walk.recognised && (err instanceof MalformedError || err instanceof TruncatedError))) {
      error(await notOnnxMessage(reader, err as Error));
      return result;
    }
    if (err instanceof TruncatedError) {
      error(`the file is truncated: it has ${result.size} bytes, but the model's data runs to byte ${err.needed} at least ` +
        '(cut off while copying or downloading?); what could be read is shown. Copy or export the model again');
    } else if (err instanceof MalformedError) {
      error(`the file is damaged: ${err.message}; what could be read before it is shown. Export the model again`);
    } else {
      error(`cannot read ${path}: ${(err as Error).message}`);
    }
  } finally {
    await fh.close();
  }
  if (!walk.recognised) {
    error(await notOnnxMessage(reader));
    return result;
  }
  finish(walk, complete);
  await checkExternalData(result);
  return result;
}

async function readModel(r: ProtoFileReader, w: Walk): Promise<void> {
  const m = w.result;
  for (let f; (f = await r.next(r.size)); ) {
    const expected = MODEL_FIELDS[f.field];
    if (!w.recognised) {
      // The first field decides whether these bytes are meant to be a ModelProto at all.
      if (expected !== f.wire || (f.field === 1 && (f.value < 1 || f.value > 64))) throw new NotOnnxError();
      w.recognised = true;
    } else if (expected !== undefined && expected !== f.wire) {
      throw new MalformedError(`ModelProto field ${f.field} at byte ${f.start} has wire type ${f.wire}, ONNX expects ${expected}`);
    }
    switch (f.field) {
      case 1: m.irVersion = f.value; break;
      case 2: m.producerName = await r.text(f); break;
      case 3: m.producerVersion = await r.text(f); break;
      case 4: m.domain = await r.text(f); break;
      case 5: m.modelVersion = f.value; break;
      case 6: m.docString = await r.text(f); break;
      case 7: await readGraph(r, f, w); break;
      case 8: {
        const opset = decode(onnx.OperatorSetIdProto, await r.bytes(f), 'an opset import');
        m.opsets.push({ domain: opsetDomain(opset.domain), version: num(opset.version) });
        break;
      }
      case 14: {
        const entry = decode(onnx.StringStringEntryProto, await r.bytes(f), 'a metadata_props entry');
        m.metadata[entry.key] = entry.value;
        break;
      }
      default: if (f.wire === WIRE.bytes) r.skip(f);
    }
  }
}

async function readGraph(r: ProtoFileReader, f: Field, w: Walk): Promise<void> {
  w.sawGraph = true;
  const m = w.result;
  const end = Math.min(f.end, r.size);
  r.pos = f.start;
  let nodes = 0;
  for (let g; (g = await r.next(end)); ) {
    const expected = GRAPH_FIELDS[g.field];
    if (expected !== undefined && expected !== g.wire) {
      throw new MalformedError(`GraphProto field ${g.field} at byte ${g.start} has wire type ${g.wire}, ONNX expects ${expected}`);
    }
    switch (g.field) {
      case 1: countNode(decode(onnx.NodeProto, await r.bytes(g), `graph node #${++nodes}`), w); break;
      case 2: m.graphName = await r.text(g); break;
      case 5: addInitializer(await readTensor(r, g), w); break;
      case 11: m.inputs.push(valueInfo(decode(onnx.ValueInfoProto, await r.bytes(g), `graph input #${m.inputs.length + 1}`))); break;
      case 12: m.outputs.push(valueInfo(decode(onnx.ValueInfoProto, await r.bytes(g), `graph output #${m.outputs.length + 1}`))); break;
      case 15: addInitializer(await readSparseValues(r, g), w); break;
      default: if (g.wire === WIRE.bytes) r.skip(g);
    }
  }
  if (f.truncated) throw new TruncatedError(f.end);
}

/** A TensorProto's header fields; its data is seeked over, only its length is kept. */
async function readTensor(r: ProtoFileReader, f: Field): Promise<TensorHeader> {
  const t: TensorHeader = { name: '', dims: [], dataType: 0, external: false, externalData: {} };
  const end = Math.min(f.end, r.size);
  r.pos = f.start;
  for (let x; (x = await r.next(end)); ) {
    switch (x.field) {
      case 1:
        if (x.wire === WIRE.varint) t.dims.push(x.value);
        else if (x.wire === WIRE.bytes) while (r.pos < x.end) t.dims.push(await r.varint(x.end)); // packed
        break;
      case 2: t.dataType = x.value; break;
      case 8: t.name = await r.text(x); break;
      case 9: t.rawBytes = x.end - x.start; t.dataBytes = t.rawBytes; r.skip(x); break;
      case 4: case 5: case 6: case 7: case 10: case 11:
        t.dataBytes = (t.dataBytes ?? 0) + (x.end - x.start);
        if (x.wire === WIRE.bytes) r.skip(x);
        break;
      case 13: {
        const entry = decode(onnx.StringStringEntryProto, await r.bytes(x), `the external_data of tensor '${t.name}'`);
        t.externalData[entry.key] = entry.value;
        break;
      }
      case 14: t.external = x.value === onnx.TensorProto.DataLocation.EXTERNAL; break;
      default: if (x.wire === WIRE.bytes) r.skip(x);
    }
  }
  if (f.truncated) throw new TruncatedError(f.end);
  return t;
}

/** A sparse initializer counts its stored values (field 1, a TensorProto) under the sparse tensor's name. */
async function readSparseValues(r: ProtoFileReader, f: Field): Promise<TensorHeader> {
  let values: TensorHeader = { name: '', dims: [0], dataType: 0, external: false, externalData: {} };
  const end = Math.min(f.end, r.size);
  r.pos = f.start;
  for (let x; (x = await r.next(end)); ) {
    if (x.field === 1 && x.wire === WIRE.bytes) {
      values = await readTensor(r, x);
      r.pos = x.end;
    } else if (x.wire === WIRE.bytes) r.skip(x);
  }
  if (f.truncated) throw new TruncatedError(f.end);
  return values;
}

function addInitializer(t: TensorHeader, w: Walk): void {
  const m = w.result;
  // A negative int64 dim arrives as a 10-byte varint far above 2^53.
  if (t.dims.some((d) => d > Number.MAX_SAFE_INTEGER)) {
    m.initializers++;
    m.problems.push({ severity: 'error', message: `initializer '${t.name}' has a negative or impossibly large dimension` });
    return;
  }
  const count = t.dims.reduce((a, b) => a * b, 1);
  const label = `initializer '${t.name}' [${t.dims.join(', ')}] of ${elementName(t.dataType)}`;
  const expected = elementBytes(t.dataType, count);
  w.initializerNames.add(t.name);
  m.initializers++;
  m.parameters += count;
  m.parameterBytes += expected ?? t.dataBytes ?? 0;
  if (t.external) {
    const location = t.externalData.location;
    if (!location) {
      m.problems.push({ severity: 'error', message: `${label} says its data is external but names no location` });
      return;
    }
    const offset = t.externalData.offset === undefined ? undefined : Number(t.externalData.offset);
    const length = t.externalData.length === undefined ? expected : Number(t.externalData.length);
    m.externalData.push({ tensor: t.name, location, ...(offset === undefined ? {} : { offset }), ...(length === undefined ? {} : { length }), missing: false });
  } else if (t.rawBytes !== undefined && expected !== undefined && t.rawBytes !== expected) {
    m.problems.push({ severity: 'error', message: `${label}: raw_data holds ${t.rawBytes} bytes, its shape needs ${expected}` });
  } else if (t.dataBytes === undefined && count > 0) {
    m.problems.push({ severity: 'error', message: `${label} has no data` });
  }
}

function countNode(node: onnx.INodeProto, w: Walk): void {
  const domain = opsetDomain(node.domain);
  const op = node.opType ?? '';
  const key = `${domain}\0${op}`;
  const entry = w.operators.get(key);
  if (entry) entry.count++;
  else w.operators.set(key, { domain, op, count: 1 });
  // Control flow (If, Loop, Scan) carries subgraphs in attributes: their operators run too.
  for (const attr of node.attribute ?? []) {
    for (const graph of [attr.g, ...(attr.graphs ?? [])]) for (const inner of graph?.node ?? []) countNode(inner, w);
  }
}

function valueInfo(v: onnx.ValueInfoProto): OnnxTensorInfo {
  const info: OnnxTensorInfo = { name: v.name, type: typeName(v.type), shape: shapeOf(v.type) };
  if (v.docString) info.doc = v.docString;
  return info;
}

function typeName(t: onnx.ITypeProto | null | undefined): string {
  if (t?.tensorType) return elementName(t.tensorType.elemType ?? 0);
  if (t?.sequenceType) return `seq(${typeName(t.sequenceType.elemType)})`;
  if (t?.mapType) return `map(${elementName(t.mapType.keyType ?? 0)},${typeName(t.mapType.valueType)})`;
  if (t?.optionalType) return `optional(${typeName(t.optionalType.elemType)})`;
  if (t?.sparseTensorType) return `sparse_tensor(${elementName(t.sparseTensorType.elemType ?? 0)})`;
  return 'unknown';
}

function shapeOf(t: onnx.ITypeProto | null | undefined): (number | string | null)[] | null {
  const shape = t?.tensorType?.shape ?? t?.sparseTensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => {
    const which = (d as onnx.TensorShapeProto.Dimension).value;
    if (which === 'dimValue') return num(d.dimValue);
    if (which === 'dimParam' && d.dimParam) return d.dimParam;
    return null;
  });
}

function decode<T>(type: { decode(bytes: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new MalformedError(`${what} cannot be decoded (${(err as Error).message})`);
  }
}

/** The lists in a stable order, and problems only visible once everything is read (a cut-off file lacks what follows the cut). */
function finish(w: Walk, complete: boolean): void {
  const m = w.result;
  const error = (message: string) => m.problems.push({ severity: 'error', message });
  // Before IR 4 every initializer was also listed as a graph input; ONNX Runtime does not count those as inputs.
  m.inputs = m.inputs.filter((i) => !w.initializerNames.has(i.name));
  m.operators = [...w.operators.values()].sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain) || a.op.localeCompare(b.op));
  if (!complete) return;
  if (!w.sawGraph) error('the model has no graph');
  if (m.irVersion === 0) error('the model has no ir_version; ONNX Runtime refuses it: export it again');
  if (m.opsets.length === 0 && m.irVersion >= 3) error('the model imports no operator set (opset_import is empty)');
  const imported = new Set(m.opsets.map((o) => o.domain));
  const unimported = [...new Set(m.operators.filter((o) => !imported.has(o.domain)).map((o) => o.domain))];
  for (const domain of unimported) {
    const ops = m.operators.filter((o) => o.domain === domain).map((o) => o.op).join(', ');
    error(`operators of domain '${domain}' (${ops}) are used, but the model imports no opset for it`);
  }
}

async function checkExternalData(m: OnnxInspection): Promise<void> {
  const folder = dirname(m.file);
  const sizes = new Map<string, number | undefined>();
  for (const e of m.externalData) {
    const file = resolve(folder, e.location);
    const inside = relative(folder, file);
    if (isAbsolute(e.location) || inside === '..' || inside.startsWith('..' + sep)) {
      m.problems.push({ severity: 'warning', message: `tensor '${e.tensor}' keeps its data in ${e.location}, outside the model's folder; ONNX Runtime refuses such paths` });
    }
    if (!sizes.has(file)) sizes.set(file, await stat(file).then((s) => (s.isFile() ? s.size : undefined), () => undefined));
    const size = sizes.get(file);
    if (size === undefined) {
      e.missing = true;
      m.problems.push({ severity: 'error', message: `tensor '${e.tensor}' keeps its data in '${e.location}', which is missing (looked for ${file}): copy it next to the model` });
    } else if ((e.offset ?? 0) + (e.length ?? 0) > size) {
      m.problems.push({ severity: 'error', message: `tensor '${e.tensor}' reads bytes ${e.offset ?? 0}–${(e.offset ?? 0) + (e.length ?? 0)} of '${e.location}', which has only ${size} bytes` });
    }
  }
}

// Formats people mistake for ONNX, by their first bytes.
function otherFormat(head: Buffer, size: number): string | undefined {
  const ascii = head.toString('latin1');
  if (ascii.startsWith('PK\x03\x04')) return 'a ZIP archive (as PyTorch .pt/.pth and Keras .keras files are)';
  if (ascii.startsWith('\x89HDF\r\n\x1a\n')) return 'an HDF5 file (e.g. a Keras .h5 model)';
  if (ascii.startsWith('PAR1')) return 'a Parquet file';
  if (ascii.startsWith('GGUF')) return 'a GGUF file (llama.cpp)';
  if (ascii.slice(4, 8) === 'TFL3') return 'a TensorFlow Lite model';
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'a Python pickle (e.g. a scikit-learn or PyTorch file)';
  if (head.length > 8 && head[8] === 0x7b && Number(head.readBigUInt64LE(0)) < size) return 'a safetensors file';
  if (head.length > 0 && /^[\t\n\r\x20-\x7e\u00a0-\ufffc]*$/.test(head.toString('utf8').replace(/\ufffd$/, ''))) return 'a text file';
  return undefined;
}

async function notOnnxMessage(r: ProtoFileReader, err?: Error): Promise<string> {
  if (r.size === 0) return 'the file is empty (0 bytes): it is not an ONNX model';
  const format = otherFormat(await r.head(512).catch(() => Buffer.alloc(0)), r.size);
  const what = format ?? `its bytes are not an ONNX ModelProto${err && !(err instanceof NotOnnxError) ? ` (${err.message})` : ''}`;
  return `not an ONNX model: ${what}. Export the model to ONNX first (e.g. torch.onnx.export, skl2onnx, tf2onnx)`;
}
