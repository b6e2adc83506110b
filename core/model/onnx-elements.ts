// ONNX element types (TensorProto.DataType) by number: the names ONNX Runtime's JavaScript API uses for
// tensor types, and the bytes one element takes. Kept here rather than read from onnx-proto because its
// schema (ONNX 1.10) stops at bfloat16, while current exporters also write the float8 and 4-bit types.

const ELEMENTS: Record<number, { name: string; bytes: number }> = {
  1: { name: 'float32', bytes: 4 },
  2: { name: 'uint8', bytes: 1 },
  3: { name: 'int8', bytes: 1 },
  4: { name: 'uint16', bytes: 2 },
  5: { name: 'int16', bytes: 2 },
  6: { name: 'int32', bytes: 4 },
  7: { name: 'int64', bytes: 8 },
  8: { name: 'string', bytes: 0 },
  9: { name: 'bool', bytes: 1 },
  10: { name: 'float16', bytes: 2 },
  11: { name: 'float64', bytes: 8 },
  12: { name: 'uint32', bytes: 4 },
  13: { name: 'uint64', bytes: 8 },
  14: { name: 'complex64', bytes: 8 },
  15: { name: 'complex128', bytes: 16 },
  16: { name: 'bfloat16', bytes: 2 },
  17: { name: 'float8e4m3fn', bytes: 1 },
  18: { name: 'float8e4m3fnuz', bytes: 1 },
  19: { name: 'float8e5m2', bytes: 1 },
  20: { name: 'float8e5m2fnuz', bytes: 1 },
  21: { name: 'uint4', bytes: 0.5 },
  22: { name: 'int4', bytes: 0.5 },
  23: { name: 'float4e2m1', bytes: 0.5 },
};

/** 'float32', …; an unknown number as 'type 42'. */
export function elementName(type: number): string {
  return ELEMENTS[type]?.name ?? (type === 0 ? 'undefined' : `type ${type}`);
}

/** Bytes of `count` elements; undefined for strings and unknown types (their size is in the data). */
export function elementBytes(type: number, count: number): number | undefined {
  const bytes = ELEMENTS[type]?.bytes;
  return bytes ? Math.ceil(bytes * count) : undefined;
}
