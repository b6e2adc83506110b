// What a request to the local endpoint means for the model: JSON rows by feature name (`[{…}]` or
// `{"instances": […]}`), named tensors (`{"inputs": {…}}`) or `text/csv`, checked against the ONNX signature
// and turned into feeds with the batch as dim 0. A request that does not fit is a RequestError whose message
// names the input (or feature, row and column) and what was expected. Native-free: no ONNX Runtime here.
import type { FeedSpec } from '../model/ort-protocol';
import type { OnnxInspection, OnnxTensorInfo } from '../model/onnx-types';
import { tryFeeds, TryInputError } from '../model/try-inputs';

export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Cell = number | string | boolean | null;

/** The flight example's convention (examples/flight-delays/steps/lib/features.mjs): the fitted encoder travels in metadata. */
interface EncoderColumn { column: string; kind: 'numeric' | 'onehot'; mean?: number; values?: string[] }

/** How one row's features map onto the model's inputs. */
type Layout =
  | { kind: 'encoder'; input: OnnxTensorInfo; columns: EncoderColumn[]; width: number; slots: (Map<string, number> | undefined)[] }
  | { kind: 'names'; input: OnnxTensorInfo; names: string[] }
  | { kind: 'inputs' };

export interface Signature {
  inputs: OnnxTensorInfo[];
  /** Tensor outputs (sequences and maps cannot cross into JavaScript). */
  outputs: string[];
  /** Feature names a row carries, in the order CSV columns without a header take. */
  features: string[];
  /** The same names as a set, for checking the keys of a row. */
  known: ReadonlySet<string>;
  /** Every input's and output's dim 0 is free: requests can be stacked into one run. */
  batchable: boolean;
  layout: Layout;
}

export interface ParsedRequest {
  kind: 'rows' | 'tensors';
  rows: number;
  feeds: FeedSpec[];
  /** The first row as the log keeps it (numbers and strings only). */
  firstRow: Record<string, number | string | null>;
}

const free = (d: number | string | null | undefined) => typeof d !== 'number';

function metadataJson(inspection: OnnxInspection, key: string): unknown {
  try {
    return inspection.metadata[key] === undefined ? undefined : JSON.parse(inspection.metadata[key]!);
  } catch {
    return undefined;
  }
}

function encoderOf(inspection: OnnxInspection, input: OnnxTensorInfo): Layout | undefined {
  const enc = metadataJson(inspection, 'feature_encoder') as { version?: number; columns?: EncoderColumn[] } | undefined;
  if (enc?.version !== 1 || !Array.isArray(enc.columns)) return undefined;
  const ok = enc.columns.every((c) => typeof c.column === 'string' && (c.kind === 'numeric' ? typeof c.mean === 'number' : c.kind === 'onehot' && Array.isArray(c.values)));
  const width = enc.columns.reduce((w, c) => w + (c.kind === 'numeric' ? 1 : c.values!.length + 1), 0);
  if (!ok || input.shape?.[1] !== width) return undefined;
  // Each one-hot column's slot by category, built once: a request only looks categories up.
  const slots = enc.columns.map((c) => (c.kind === 'onehot' ? new Map(c.values!.map((v, i) => [v, i])) : undefined));
  return { kind: 'encoder', input, columns: enc.columns, width, slots };
}

/** Reads the signature once at load; which layout a row takes follows from the model's metadata. */
export function signatureOf(inspection: OnnxInspection): Signature {
  const inputs = inspection.inputs;
  const tensorOutputs = inspection.outputs.filter((o) => /^[a-z0-9]+$/.test(o.type));
  const only = inputs.length === 1 && inputs[0]!.shape?.length === 2 && /^float/.test(inputs[0]!.type) ? inputs[0]! : undefined;
  const names = metadataJson(inspection, 'feature_names');
  let layout: Layout = { kind: 'inputs' };
  if (only) {
    layout = encoderOf(inspection, only)
      ?? (Array.isArray(names) && names.every((n) => typeof n === 'string') && only.shape![1] === names.length ? { kind: 'names', input: only, names: names as string[] } : layout);
  }
  const features = layout.kind === 'encoder' ? layout.columns.map((c) => c.column) : layout.kind === 'names' ? layout.names : inputs.map((i) => i.name);
  const batchable = inputs.length > 0 && inputs.every((i) => i.shape !== null && i.shape.length > 0 && free(i.shape[0]))
    && tensorOutputs.every((o) => o.shape === null || (o.shape.length > 0 && free(o.shape[0])));
  return { inputs, outputs: tensorOutputs.map((o) => o.name), features, known: new Set(features), batchable, layout };
}

const expected = (type: string) => (type === 'string' ? 'a string' : type === 'bool' ? 'true or false' : /int/.test(type) ? `a whole number (${type})` : `a number (${type})`);

function checkCell(v: unknown, type: string, at: () => string): number | string | boolean {
  if (type === 'string' ? typeof v === 'string' : type === 'bool' ? typeof v === 'boolean' || v === 0 || v === 1 : typeof v === 'number' && Number.isFinite(v) && (!/int/.test(type) || Number.isInteger(v))) {
    return v as number | string | boolean;
  }
  throw new RequestError(400, `${at()} is ${JSON.stringify(v)}, expected ${expected(type)}`);
}

/** Per input: the shape one row has (dims after the batch), fixed dims only. */
function rowShape(input: OnnxTensorInfo): number[] | undefined {
  const rest = (input.shape ?? []).slice(1);
  return rest.every((d) => typeof d === 'number') ? (rest as number[]) : undefined;
}

function flattenRowValue(v: unknown, shape: number[], out: unknown[], at: () => string): void {
  if (shape.length === 0) {
    out.push(Array.isArray(v) && v.length === 1 ? v[0] : v);
    return;
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(v) && size === 1) return void out.push(v);
  if (!Array.isArray(v) || v.length !== shape[0]) {
    throw new RequestError(400, `${at()} has ${Array.isArray(v) ? `${v.length} entries` : 'one value'}, expected a list of ${shape[0]} (shape [${shape.join(', ')}] per row)`);
  }
  for (const x of v) flattenRowValue(x, shape.slice(1), out, at);
}

/** Rows (objects by feature name) → feeds; `rows` may come from JSON or CSV. */
function rowsToFeeds(sig: Signature, rows: Record<string, unknown>[]): ParsedRequest {
  if (rows.length === 0) throw new RequestError(400, 'no rows: send at least one row');
  const known = sig.known;
  rows.forEach((row, r) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new RequestError(400, `row ${r} is ${JSON.stringify(row)}, expected an object of features by name (${sig.features.join(', ')})`);
    for (const key in row) if (!known.has(key)) throw new RequestError(400, `row ${r} has an unknown feature '${key}'; the model's features are ${sig.features.join(', ')}`);
    if (Object.keys(row).length !== sig.features.length) {
      const missing = sig.features.filter((f) => !(f in row));
      throw new RequestError(400, `row ${r} is missing feature${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (null is allowed where a value is unknown)`);
    }
  });
  if (!sig.batchable && rows.length > 1) throw new RequestError(400, `the model takes one row per request (its batch dim is fixed); this request has ${rows.length}`);
  const firstRow = logRow(rows[0]!);
  const layout = sig.layout;
  if (layout.kind === 'encoder') return { kind: 'rows', rows: rows.length, firstRow, feeds: [encodeRows(layout, rows)] };
  if (layout.kind === 'names') {
    const data: number[] = [];
    rows.forEach((row, r) => {
      for (const name of layout.names) data.push(checkCell(row[name], layout.input.type, () => `row ${r} feature '${name}'`) as number);
    });
    return { kind: 'rows', rows: rows.length, firstRow, feeds: [{ name: layout.input.name, type: layout.input.type, dims: [rows.length, layout.names.length], data }] };
  }
  const feeds = sig.inputs.map((input): FeedSpec => {
    const shape = rowShape(input);
    if (!shape) throw new RequestError(400, `input '${input.name}' has free dims after the batch [${(input.shape ?? []).map((d) => d ?? '?').join(', ')}]: send it as a tensor, {"inputs": {"${input.name}": …}}`);
    const data: unknown[] = [];
    rows.forEach((row, r) => flattenRowValue(row[input.name], shape, data, () => `row ${r} feature '${input.name}'`));
    const checked = data.map((v, i) => checkCell(v, input.type, () => `row ${Math.floor(i / Math.max(1, data.length / rows.length))} feature '${input.name}'`));
    return { name: input.name, type: input.type, dims: [rows.length, ...shape], data: checked as FeedSpec['data'] };
  });
  return { kind: 'rows', rows: rows.length, firstRow, feeds };
}

function encodeRows(layout: Extract<Layout, { kind: 'encoder' }>, rows: Record<string, unknown>[]): FeedSpec {
  const data = new Array<number>(rows.length * layout.width).fill(0);
  let offset = 0;
  layout.columns.forEach((c, ci) => {
    if (c.kind === 'numeric') {
      rows.forEach((row, r) => {
        const v = row[c.column];
        data[r * layout.width + offset] = v === null ? c.mean! : (checkCell(v, 'float32', () => `row ${r} feature '${c.column}'`) as number);
      });
      offset += 1;
      return;
    }
    const slot = layout.slots[ci]!;
    rows.forEach((row, r) => {
      const v = row[c.column];
      if (v !== null && typeof v !== 'string' && typeof v !== 'number') throw new RequestError(400, `row ${r} feature '${c.column}' is ${JSON.stringify(v)}, expected a category (a string or number)`);
      // Unseen or missing categories take the OTHER slot, as in training.
      data[r * layout.width + offset + (v === null ? c.values!.length : slot.get(String(v)) ?? c.values!.length)] = 1;
    });
    offset += c.values!.length + 1;
  });
  return { name: layout.input.name, type: layout.input.type, dims: [rows.length, layout.width], data };
}

function logRow(row: Record<string, unknown>): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'number' || typeof v === 'string' ? v : null;
  return out;
}

function tensorsToFeeds(sig: Signature, given: unknown): ParsedRequest {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new RequestError(400, `"inputs" must be an object of tensors by input name (${sig.inputs.map((i) => i.name).join(', ')})`);
  const user = given as Record<string, unknown>;
  const missing = sig.inputs.filter((i) => !(i.name in user));
  if (missing.length) throw new RequestError(400, `missing input ${missing.map((i) => `'${i.name}' (${i.type} [${(i.shape ?? []).map((d) => d ?? '?').join(', ')}])`).join(', ')}`);
  for (const input of sig.inputs) {
    const type = (user[input.name] as { type?: unknown } | null)?.type;
    if (type !== undefined && type !== input.type) throw new RequestError(400, `input '${input.name}' is given as ${String(type)}, the model expects ${input.type}`);
  }
  let feeds: FeedSpec[];
  try {
    feeds = tryFeeds(sig.inputs, user);
  } catch (err) {
    if (err instanceof TryInputError) throw new RequestError(400, err.message);
    throw err;
  }
  const rows = sig.batchable ? feeds[0]!.dims[0]! : 1;
  if (sig.batchable) {
    const other = feeds.find((f) => f.dims[0] !== rows);
    if (other) throw new RequestError(400, `input '${other.name}' has ${other.dims[0]} rows (dim 0), input '${feeds[0]!.name}' has ${rows}`);
  }
  const firstRow: Record<string, number | string | null> = {};
  const width = (f: FeedSpec) => (rows > 0 ? f.data.length / rows : 0);
  for (const f of feeds) if (width(f) === 1) firstRow[f.name] = typeof f.data[0] === 'boolean' ? Number(f.data[0]) : (f.data[0] as number | string);
  return { kind: 'tensors', rows, feeds, firstRow };
}

/** One CSV record per line; quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const end = () => {
    record.push(field);
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') end();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      end();
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += ch;
  }
  if (quoted) throw new RequestError(400, `CSV: a quoted field opened in record ${records.length + 1} is never closed`);
  if (field !== '' || record.length) {
    end();
    records.push(record);
  }
  return records;
}

function csvCell(text: string): Cell {
  if (text === '') return null;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function csvToRows(sig: Signature, text: string): Record<string, unknown>[] {
  const records = parseCsv(text);
  if (records.length === 0) throw new RequestError(400, 'CSV: no rows');
  const known = sig.known;
  const header = records[0]!.every((c) => known.has(c.trim())) && records[0]!.length === sig.features.length ? records[0]!.map((c) => c.trim()) : undefined;
  const columns = header ?? sig.features;
  const body = header ? records.slice(1) : records;
  return body.map((rec, r) => {
    if (rec.length !== columns.length) {
      throw new RequestError(400, `CSV record ${r + (header ? 2 : 1)} has ${rec.length} fields, expected ${columns.length} (${columns.join(', ')}${header ? '' : '; or a header row of feature names'})`);
    }
    // Rows without a header follow the signature's feature order; a tensor-valued feature cannot be a cell.
    const row: Record<string, unknown> = {};
    columns.forEach((c, i) => (row[c] = csvCell(rec[i]!)));
    return row;
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new RequestError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** `contentType` is the request's Content-Type header (parameters such as charset ignored). */
export function parseRequest(sig: Signature, contentType: string | undefined, body: Buffer): ParsedRequest {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/csv') return rowsToFeeds(sig, csvToRows(sig, body.toString('utf8')));
  if (type !== 'application/json') throw new RequestError(415, `Content-Type '${type || '(none)'}' is not served: send application/json (rows, {"instances": […]} or {"inputs": {…}}) or text/csv`);
  const value = parseJson(body);
  if (Array.isArray(value)) return rowsToFeeds(sig, value as Record<string, unknown>[]);
  if (value && typeof value === 'object') {
    const v = value as { instances?: unknown; inputs?: unknown };
    if (Array.isArray(v.instances)) return rowsToFeeds(sig, v.instances as Record<string, unknown>[]);
    if ('inputs' in v) return tensorsToFeeds(sig, v.inputs);
    return rowsToFeeds(sig, [value as Record<string, unknown>]);
  }
  throw new RequestError(400, 'expected a JSON list of rows, {"instances": [rows]} or {"inputs": {tensors by name}}');
}
