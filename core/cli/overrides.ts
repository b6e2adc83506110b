// `--set name=value` → param overrides. Values are YAML scalars, as they would be written in the
// flow file: 0.2 is a number, true a boolean, 'abc' a string.
import type { Flow } from '../flow/model';
import { closest } from '../flow/suggest';
import { UsageError } from './errors';

export function parseOverrides(assignments: string[], flow: Flow): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects name=value, got '${assignment}'`, 'write e.g. --set learning_rate=0.2', 'run');
    const name = knownParam(assignment.slice(0, eq), flow, 'run');
    overrides[name] = parseScalar(assignment.slice(eq + 1));
  }
  return overrides;
}

/** `name` (without a `params.` prefix) when the flow has that param; else a usage error with the closest name. */
export function knownParam(written: string, flow: Flow, command: string): string {
  const name = written.trim().replace(/^params\./, '');
  if (flow.params.has(name)) return name;
  const known = [...flow.params.keys()];
  const guess = closest(name, known);
  throw new UsageError(
    `unknown param '${name}'${guess ? `: did you mean '${guess}'?` : ''}`,
    known.length ? `params of this flow: ${known.join(', ')}` : 'this flow declares no params: add them under `params:` in the flow file',
    command,
  );
}

export function parseScalar(text: string): unknown {
  try {
    // Required here: only a `--set` needs the yaml package, and loading it is a fifth of a `flowbench status`.
    const value: unknown = (require('yaml') as typeof import('yaml')).parse(text);
    if (value === null) return ['null', '~'].includes(text.trim()) ? null : text;
    // Params are flattened to scalars, so `--set x=[1,2]` keeps the literal text the user typed.
    return typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}
