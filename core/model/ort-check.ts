// Cross-checks what the file declares (inspectOnnx) with what ONNX Runtime makes of it (session metadata in
// the worker process): a model the runtime cannot load, or whose inputs and outputs it sees differently,
// becomes a problem of the inspection.
import { askOrt } from './ort-client';
import type { RuntimeValue } from './ort-protocol';
import type { OnnxInspection, OnnxProblem, OnnxTensorInfo } from './onnx-types';

export async function runtimeProblems(inspection: OnnxInspection, timeoutMs?: number): Promise<OnnxProblem[]> {
  const answer = await askOrt({ op: 'metadata', file: inspection.file }, timeoutMs);
  if (!answer.ok) return [{ severity: 'error', message: `ONNX Runtime cannot load the model: ${answer.error}` }];
  if (answer.op !== 'metadata') return [{ severity: 'error', message: 'the ONNX Runtime worker answered another question' }];
  return [...compare('input', inspection.inputs, answer.inputs), ...compare('output', inspection.outputs, answer.outputs)];
}

export function compare(kind: 'input' | 'output', declared: OnnxTensorInfo[], runtime: RuntimeValue[]): OnnxProblem[] {
  const problems: OnnxProblem[] = [];
  const seen = new Map(runtime.map((r) => [r.name, r]));
  const names = new Set(declared.map((d) => d.name));
  for (const r of runtime) {
    if (!names.has(r.name)) problems.push({ severity: 'error', message: `ONNX Runtime sees an ${kind} '${r.name}' the graph does not declare` });
  }
  for (const d of declared) {
    const r = seen.get(d.name);
    if (!r) {
      problems.push({ severity: 'error', message: `the graph declares ${kind} '${d.name}', ONNX Runtime does not see it` });
      continue;
    }
    const tensor = d.shape !== null || /^[a-z0-9]+$/.test(d.type);
    if (r.isTensor !== tensor || (r.isTensor && r.type !== d.type)) {
      problems.push({ severity: 'error', message: `${kind} '${d.name}' is ${d.type} in the file, ONNX Runtime makes it ${r.isTensor ? r.type : 'a non-tensor value'}` });
      continue;
    }
    const mismatch = shapeMismatch(d.shape, r.shape);
    if (mismatch) problems.push({ severity: 'warning', message: `${kind} '${d.name}': ${mismatch}` });
  }
  return problems;
}

/** ONNX Runtime reports an unknown dim as '' and an unknown rank as []. */
function shapeMismatch(declared: OnnxTensorInfo['shape'], runtime: RuntimeValue['shape']): string | undefined {
  if (!declared || !runtime || runtime.length === 0) return undefined;
  const show = (s: readonly (number | string | null)[]) => `[${s.map((d) => (d === null || d === '' ? '?' : d)).join(', ')}]`;
  const differs = declared.length !== runtime.length || declared.some((d, i) => (d ?? '') !== runtime[i]);
  return differs ? `shape ${show(declared)} in the file, ${show(runtime)} in ONNX Runtime` : undefined;
}
