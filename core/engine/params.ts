// Param values after `--set` overrides, flattened to dotted names like the flow model keeps them.
import type { Flow } from '../flow/model';

export interface ResolvedParams {
  values: Map<string, unknown>;
  /** Override names that match no param. */
  unknown: string[];
}

export function resolveParams(flow: Flow, overrides: Record<string, unknown> = {}): ResolvedParams {
  const values = new Map<string, unknown>();
  for (const [name, p] of flow.params) values.set(name, p.value);
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(overrides)) {
    if (values.has(name)) values.set(name, value);
    else unknown.push(name);
  }
  return { values, unknown };
}

/**
 * The params as steps and run records see them: dotted leaves only. The model also keeps each nested
 * mapping under its own name (for `${params.train}`), which would repeat its leaves.
 */
export function leafParams(values: Map<string, unknown>): Map<string, unknown> {
  return new Map([...values].filter(([, v]) => !(v !== null && typeof v === 'object' && !Array.isArray(v))));
}
