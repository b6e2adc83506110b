// Walks the flow JSON Schema (core/flow/flow.schema.json) so completion and hover offer exactly the keys,
// docs and enum values the validator accepts: one source of truth for the format.
import flowSchema from '../flow/flow.schema.json';

export interface SchemaNode {
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  required?: string[];
  $ref?: string;
}

export interface SchemaKey {
  name: string;
  description?: string;
  required: boolean;
  /** The key holds a mapping or a list, so completion inserts a line break rather than a space after the colon. */
  nested: 'mapping' | 'list' | 'scalar';
}

const root = flowSchema as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 8; hops++) {
    const name = current.$ref.replace(/^#\/definitions\//, '');
    current = root.definitions[name];
  }
  return current;
}

function alternatives(node: SchemaNode | undefined): SchemaNode[] {
  const resolved = resolve(node);
  if (!resolved) return [];
  return [resolved, ...[...(resolved.oneOf ?? []), ...(resolved.anyOf ?? [])].flatMap((alt) => alternatives(alt))];
}

/** The schema of the value found by following `path` (mapping keys) from the top of a flow file. */
export function schemaAt(path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const key of path) {
    let next: SchemaNode | undefined;
    for (const alt of alternatives(node)) {
      next = alt.properties?.[key] ?? (typeof alt.additionalProperties === 'object' ? alt.additionalProperties : undefined);
      if (next) break;
    }
    node = resolve(next);
    if (!node) return undefined;
  }
  return node;
}

export function describe(node: SchemaNode | undefined): string | undefined {
  return alternatives(node).find((alt) => alt.description)?.description;
}

/** Keys a mapping at `path` may hold, with their docs. */
export function keysAt(path: readonly string[]): SchemaKey[] {
  const keys = new Map<string, SchemaKey>();
  for (const alt of alternatives(schemaAt(path))) {
    for (const [name, child] of Object.entries(alt.properties ?? {})) {
      if (keys.has(name)) continue;
      keys.set(name, { name, description: describe(child), required: alt.required?.includes(name) ?? false, nested: shapeOf(child) });
    }
  }
  return [...keys.values()];
}

function shapeOf(node: SchemaNode): SchemaKey['nested'] {
  const alts = alternatives(node);
  const types = alts.flatMap((alt) => (Array.isArray(alt.type) ? alt.type : alt.type ? [alt.type] : []));
  if (alts.some((alt) => alt.properties || alt.additionalProperties) || (types.length === 1 && types[0] === 'object')) return 'mapping';
  if (types.length === 1 && types[0] === 'array') return 'list';
  return 'scalar';
}

/** Enum values allowed for the value at `path`, across all alternatives. */
export function enumAt(path: readonly string[]): string[] {
  const values = new Set<string>();
  for (const alt of alternatives(schemaAt(path))) for (const v of alt.enum ?? []) values.add(String(v));
  return [...values];
}
