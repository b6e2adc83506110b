// The small YAML tree the flow parser walks: maps, sequences and scalars with their offsets.
// Keeping it apart from any one YAML library lets a fast reader for the common block-style
// subset stand in front of the full `yaml` parser, which handles everything else.
import type * as Yaml from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { readYamlFast } from './yaml-fast';

/** Loaded only for a file the fast reader declines, so the editor's activation does not evaluate it. */
let yamlLibrary: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlLibrary ??= require('yaml') as typeof Yaml);

export type ScalarValue = string | number | boolean | null;

interface Base {
  /** Offsets of the node's text: [start, end). */
  start: number;
  end: number;
}

export interface YScalar extends Base {
  kind: 'scalar';
  value: ScalarValue;
}

export interface YPair {
  key: YNode;
  value: YNode | null;
}

export interface YMap extends Base {
  kind: 'map';
  items: YPair[];
}

export interface YSeq extends Base {
  kind: 'seq';
  items: (YNode | null)[];
}

export type YNode = YScalar | YMap | YSeq;

export interface YError {
  /** `DUPLICATE_KEY` or a syntax error code. */
  code: string;
  message: string;
  start: number;
  end: number;
}

export interface YamlTree {
  root: YNode | null;
  errors: YError[];
}

export function readYaml(text: string): YamlTree {
  return readYamlFast(text) ?? readYamlWithLibrary(text);
}

/** The tree as the `yaml` package reads it: every construct, and all syntax errors. */
export function readYamlWithLibrary(text: string): YamlTree {
  const doc = yaml().parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: false });
  return {
    root: convert(doc.contents as YamlNode | null, doc, 0),
    errors: doc.errors.map((e) => ({ code: e.code, message: e.message, start: e.pos[0], end: e.pos[1] })),
  };
}

const MAX_ALIAS_DEPTH = 20;

function convert(node: YamlNode | null | undefined, doc: Document, depth: number): YNode | null {
  if (!node) return null;
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  const [start, end] = node.range ?? [0, 0];
  if (isAlias(node)) {
    // An alias stands for its anchor's node; deep or cyclic alias chains are cut off.
    const target = depth < MAX_ALIAS_DEPTH ? (node.resolve(doc) as YamlNode | undefined) : undefined;
    const resolved = convert(target, doc, depth + 1);
    return resolved ? { ...resolved, start, end } : { kind: 'scalar', value: null, start, end };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value: ScalarValue = v === null || v === undefined ? null : typeof v === 'object' ? String(v) : (v as ScalarValue);
    return { kind: 'scalar', value: typeof value === 'bigint' ? Number(value) : value, start, end };
  }
  if (isMap(node)) {
    const items: YPair[] = [];
    for (const pair of node.items) {
      const key = convert(pair.key as YamlNode | null, doc, depth);
      if (key) items.push({ key, value: convert(pair.value as YamlNode | null, doc, depth) });
    }
    return { kind: 'map', items, start, end };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => convert(item as YamlNode | null, doc, depth)), start, end };
  }
  return { kind: 'scalar', value: null, start, end };
}

/** The plain JavaScript value of a node, as a param's value. */
export function toValue(node: YNode | null): unknown {
  if (!node) return null;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toValue);
  const out: Record<string, unknown> = {};
  for (const { key, value } of node.items) out[String(key.kind === 'scalar' ? key.value : '')] = toValue(value);
  return out;
}

/** A map key as text, or undefined for null, mapping or sequence keys. */
export function keyText(pair: YPair): string | undefined {
  const key = pair.key;
  return key.kind === 'scalar' && key.value !== null ? String(key.value) : undefined;
}
