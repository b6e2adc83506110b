// `${params.name}` interpolation in commands, env values and paths. Nested params use dots.

const PATTERN = /\$\{\s*params\.([A-Za-z_][\w.-]*?)\s*\}/g;

export interface InterpolationResult {
  text: string;
  /** Param names referenced, in order of first use. */
  used: string[];
  /** References to params that do not exist; offsets into the input text. */
  unknown: { name: string; start: number; end: number }[];
}

export function interpolate(
  text: string,
  params: Map<string, unknown> | Record<string, unknown>,
): InterpolationResult {
  const lookup = params instanceof Map ? params : new Map(Object.entries(params));
  const used: string[] = [];
  const unknown: InterpolationResult['unknown'] = [];
  const out = text.replace(PATTERN, (whole, name: string, offset: number) => {
    if (!lookup.has(name)) {
      unknown.push({ name, start: offset, end: offset + whole.length });
      return whole;
    }
    if (!used.includes(name)) used.push(name);
    return formatParam(lookup.get(name));
  });
  return { text: out, used, unknown };
}

/** How a param value appears inside a command line: scalars as written, anything else as JSON. */
export function formatParam(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}
