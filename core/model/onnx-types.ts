// The result of inspecting an ONNX file without running it (core/model/onnx-inspect.ts).
// Shared contract: the model card (core/model/card.ts) consumes it; keep fields additive.

export interface OnnxTensorInfo {
  name: string;
  /** 'float32' | 'int64' | 'string' | … ; for non-tensor types e.g. 'seq(map(int64,float32))' */
  type: string;
  /** null = rank unknown; per dim: number, a symbolic name (string), or null = unknown */
  shape: (number | string | null)[] | null;
  doc?: string;
}

export interface OnnxProblem {
  severity: 'error' | 'warning';
  message: string;
}

export interface OnnxExternalData {
  tensor: string;
  location: string;
  offset?: number;
  length?: number;
  missing: boolean;
}

export interface OnnxInspection {
  file: string;
  size: number;
  irVersion: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graphName?: string;
  /** '' normalised to 'ai.onnx' */
  opsets: { domain: string; version: number }[];
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  metadata: Record<string, string>;
  operators: { domain: string; op: string; count: number }[];
  initializers: number;
  parameters: number;
  parameterBytes: number;
  externalData: OnnxExternalData[];
  /** never throws for a bad file: a truncated or non-ONNX file is an error problem */
  problems: OnnxProblem[];
}
