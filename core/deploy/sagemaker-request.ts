// SageMaker's Triton image speaks the KServe v2 JSON protocol, not the local endpoint's request forms. A
// test request written for the local endpoint (JSON rows by feature name, named tensors, text/csv) is read
// by the local endpoint's own parser (local-rows.ts: the same checks, the same messages, the flight
// example's encoder) and its feeds become v2 inputs. A v2 body (`"inputs"` is a list) passes unchanged.
import type { OnnxInspection } from '../model/onnx-types';
import { parseRequest, signatureOf } from './local-rows';

const DATATYPES: Record<string, string> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', bfloat16: 'BF16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};

function isKserve(contentType: string, body: Buffer): boolean {
  if (!/^application\/json\b/i.test(contentType)) return false;
  try {
    return Array.isArray((JSON.parse(body.toString('utf8')) as { inputs?: unknown })?.inputs);
  } catch {
    return false;
  }
}

/** The v2 JSON body for a local-endpoint request; throws local-rows' RequestError when it does not fit. */
export function kserveBody(inspection: OnnxInspection, contentType: string, body: Buffer): string {
  if (isKserve(contentType, body)) return body.toString('utf8');
  const { feeds } = parseRequest(signatureOf(inspection), contentType, body);
  return JSON.stringify({ inputs: feeds.map((f) => ({ name: f.name, shape: f.dims, datatype: DATATYPES[f.type] ?? f.type.toUpperCase(), data: f.data })) });
}
