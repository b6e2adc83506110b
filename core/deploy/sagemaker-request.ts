// SageMaker's Triton image speaks the KServe v2 JSON protocol, not the local endpoint's rows or named
// tensors. A test request written for the local endpoint is translated here, from the model's ONNX
// signature: `{"inputs": {"X": [[…], …]}}` (named tensors) or rows `[{"X": …}, …]` keyed by input name.
// A body already in v2 form (`"inputs"` is an array) passes unchanged.
import type { OnnxTensorInfo } from '../model/onnx-types';

const DATATYPES: Record<string, string> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', bfloat16: 'BF16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};

export class RequestError extends Error {}

interface KserveInput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

function tensor(info: OnnxTensorInfo, value: unknown): KserveInput {
  const datatype = DATATYPES[info.type];
  if (!datatype) throw new RequestError(`input '${info.name}' is of type ${info.type}, which the Triton endpoint cannot take`);
  const shape = shapeOf(value);
  const rank = info.shape?.length;
  if (rank !== undefined && shape.length !== rank) throw new RequestError(`input '${info.name}' needs ${rank} dimensions [${info.shape!.map((d) => d ?? '?').join(', ')}], got ${shape.length}`);
  return { name: info.name, shape, datatype, data: (Array.isArray(value) ? value.flat(Infinity) : [value]) as unknown[] };
}

/** Rows keyed by input name: each input's column, shaped [rows] or [rows, 1] or [rows, k] as the input is. */
function fromRows(rows: Record<string, unknown>[], inputs: OnnxTensorInfo[]): KserveInput[] {
  return inputs.map((info) => {
    const column = rows.map((r, i) => {
      if (!(info.name in r)) throw new RequestError(`row ${i + 1} has no '${info.name}' (the model's inputs: ${inputs.map((x) => x.name).join(', ')})`);
      return r[info.name];
    });
    const rank = info.shape?.length ?? 1;
    const last = info.shape?.[rank - 1];
    const wrap = rank === 2 && last === 1 && column.every((v) => !Array.isArray(v));
    return tensor(info, wrap ? column.map((v) => [v]) : column);
  });
}

/** The v2 body for `json` (a parsed local-endpoint request), or throws a RequestError naming what is wrong. */
export function kserveRequest(json: unknown, inputs: OnnxTensorInfo[]): { inputs: KserveInput[] } {
  const obj = json as { inputs?: unknown; rows?: unknown };
  if (obj && typeof obj === 'object' && Array.isArray(obj.inputs)) return obj as { inputs: KserveInput[] };
  if (obj && typeof obj === 'object' && !Array.isArray(obj) && obj.inputs && typeof obj.inputs === 'object') {
    const named = obj.inputs as Record<string, unknown>;
    return {
      inputs: inputs.map((info) => {
        if (!(info.name in named)) throw new RequestError(`no tensor for input '${info.name}' (the model's inputs: ${inputs.map((x) => x.name).join(', ')})`);
        return tensor(info, named[info.name]);
      }),
    };
  }
  const rows = Array.isArray(json) ? json : Array.isArray(obj?.rows) ? (obj.rows as unknown[]) : obj && typeof obj === 'object' ? [obj] : undefined;
  if (!rows || !rows.length || rows.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) {
    throw new RequestError('expected rows ([{"<input>": value}, …]), named tensors ({"inputs": {"<input>": [[…]]}}) or a KServe v2 request');
  }
  return { inputs: fromRows(rows as Record<string, unknown>[], inputs) };
}
