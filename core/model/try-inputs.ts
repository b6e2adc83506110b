// "Try it": the tensors one inference is fed, from the model's signature and what the user wrote. Symbolic
// and unknown dims are 1 unless a user-given input fixes a symbolic name; values are seeded random (floats in
// [0, 1), integers 0 or 1 so ids stay in range) or zeros. A user value that cannot fit the signature is an
// error naming the input and the position.
import type { FeedSpec } from './ort-protocol';
import type { OnnxTensorInfo } from './onnx-types';
import { mulberry32 } from '../sweeps/prng';

export class TryInputError extends Error {}

export type Fill = 'random' | 'zeros';

type Scalar = number | string | boolean;
const INTEGER = /^u?int(8|16|32|64)$/;
const FLOAT = /^(float(16|32|64)|bfloat16)$/;

/** A nested array as dims + row-major values; ragged rows are an error at their position. */
function flatten(name: string, value: unknown): { dims: number[]; data: unknown[] } {
  const dims: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) dims.push(v.length);
  const data: unknown[] = [];
  const walk = (v: unknown, depth: number, at: string) => {
    if (depth === dims.length) {
      if (Array.isArray(v)) throw new TryInputError(`input '${name}': ${at} is a list, expected a value (every row must have the same depth)`);
      data.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) {
      throw new TryInputError(`input '${name}': ${at} has ${Array.isArray(v) ? v.length : 'no'} entries, expected ${dims[depth]} like its first sibling`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${at}[${i}]`));
  };
  walk(value, 0, name);
  return { dims, data };
}

function checkValue(name: string, type: string, v: unknown, index: number): Scalar {
  const at = `input '${name}' value #${index + 1}`;
  if (type === 'string') {
    if (typeof v !== 'string') throw new TryInputError(`${at} is ${JSON.stringify(v)}, expected a string`);
    return v;
  }
  if (type === 'bool') {
    if (typeof v === 'boolean' || v === 0 || v === 1) return Boolean(v);
    throw new TryInputError(`${at} is ${JSON.stringify(v)}, expected true or false`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TryInputError(`${at} is ${JSON.stringify(v)}, expected a number`);
  if (INTEGER.test(type) && !Number.isInteger(v)) throw new TryInputError(`${at} is ${v}, expected a whole number (${type})`);
  if (type.startsWith('uint') && v < 0) throw new TryInputError(`${at} is ${v}, expected a number ≥ 0 (${type})`);
  return v;
}

function userFeed(input: OnnxTensorInfo, value: unknown): FeedSpec {
  const given = value !== null && typeof value === 'object' && !Array.isArray(value) && 'data' in value
    ? (value as { dims?: unknown; data: unknown })
    : undefined;
  const { dims, data } = given
    ? { dims: Array.isArray(given.dims) ? (given.dims as number[]) : [(given.data as unknown[]).length], data: given.data as unknown[] }
    : flatten(input.name, value);
  if (!Array.isArray(data) || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TryInputError(`input '${input.name}': give a nested list, or { "dims": [..], "data": [..] } with whole-number dims`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new TryInputError(`input '${input.name}': ${data.length} values for dims [${dims.join(', ')}], which need ${count}`);
  if (input.shape) {
    if (input.shape.length !== dims.length) {
      throw new TryInputError(`input '${input.name}' has ${dims.length} dims [${dims.join(', ')}], the model expects ${input.shape.length}: [${input.shape.map((d) => d ?? '?').join(', ')}]`);
    }
    input.shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== dims[i]) throw new TryInputError(`input '${input.name}' dim ${i} is ${dims[i]}, the model fixes it at ${d}`);
    });
  }
  return { name: input.name, type: input.type, dims, data: data.map((v, i) => checkValue(input.name, input.type, v, i)) };
}

function generated(input: OnnxTensorInfo, symbols: Map<string, number>, fill: Fill, random: () => number): FeedSpec {
  const dims = (input.shape ?? [1]).map((d) => (typeof d === 'number' ? d : typeof d === 'string' ? symbols.get(d) ?? 1 : 1));
  const count = dims.reduce((a, b) => a * b, 1);
  const value = (): Scalar => {
    if (input.type === 'string') return fill === 'zeros' ? '' : 'a';
    if (input.type === 'bool') return fill === 'zeros' ? false : random() < 0.5;
    if (fill === 'zeros') return 0;
    return FLOAT.test(input.type) ? Number(random().toFixed(4)) : Math.floor(random() * 2);
  };
  return { name: input.name, type: input.type, dims, data: Array.from({ length: count }, value) };
}

/** Feeds for every input: the user's where given (by name), generated otherwise. */
export function tryFeeds(inputs: OnnxTensorInfo[], user: Record<string, unknown> = {}, fill: Fill = 'random', seed = 1): FeedSpec[] {
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const name of Object.keys(user)) {
    if (!byName.has(name)) throw new TryInputError(`the model has no input '${name}'; its inputs are ${inputs.map((i) => i.name).join(', ') || '(none)'}`);
  }
  for (const input of inputs) {
    if (!INTEGER.test(input.type) && !FLOAT.test(input.type) && input.type !== 'bool' && input.type !== 'string') {
      throw new TryInputError(`input '${input.name}' is ${input.type}: Try it feeds tensors of numbers, booleans or strings only`);
    }
  }
  const feeds = new Map<string, FeedSpec>();
  const symbols = new Map<string, number>();
  for (const input of inputs) {
    if (!(input.name in user)) continue;
    const feed = userFeed(input, user[input.name]);
    feeds.set(input.name, feed);
    input.shape?.forEach((d, i) => {
      if (typeof d !== 'string') return;
      const bound = symbols.get(d);
      if (bound !== undefined && bound !== feed.dims[i]) {
        throw new TryInputError(`input '${input.name}' dim ${i} ('${d}') is ${feed.dims[i]}, another input already made '${d}' ${bound}`);
      }
      symbols.set(d, feed.dims[i]!);
    });
  }
  const random = mulberry32(seed);
  return inputs.map((input) => feeds.get(input.name) ?? generated(input, symbols, fill, random));
}

/** The --input text: JSON, or @file holding JSON; an object keyed by input name. */
export function parseUserInputs(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TryInputError(`the inputs are not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TryInputError('the inputs must be a JSON object keyed by input name, e.g. {"features": [[0.5, 1, 2]]}');
  }
  return parsed as Record<string, unknown>;
}
