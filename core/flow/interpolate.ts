// `${params.name}` interpolation in commands, env values and paths. Nested params use dots.
// Commands get every value shell-quoted for the place it lands (shell-quote.ts); env values and paths
// never meet a shell, so they get the value as it is.
import { quoteAt, shellContexts, type ShellContext } from './shell-quote';

const PATTERN = /\$\{\s*params\.([A-Za-z_][\w.-]*?)\s*\}/g;

type Span = { name: string; start: number; end: number };

export interface InterpolationResult {
  text: string;
  /** Param names referenced, in order of first use. */
  used: string[];
  /** References to params that do not exist; offsets into the input text. */
  unknown: Span[];
}

export interface CommandInterpolation extends InterpolationResult {
  /** References where no quoting is safe (inside backquotes or a here-document), left as written. */
  unquotable: (Span & { context: ShellContext })[];
}

type Params = Map<string, unknown> | Record<string, unknown>;

function substitute(text: string, params: Params, render: (value: unknown, ref: Span, index: number) => string | undefined): InterpolationResult {
  const lookup = params instanceof Map ? params : new Map(Object.entries(params));
  const used: string[] = [];
  const unknown: Span[] = [];
  let index = 0;
  const out = text.replace(PATTERN, (whole, name: string, offset: number) => {
    const ref = { name, start: offset, end: offset + whole.length };
    const at = index++;
    if (!lookup.has(name)) {
      unknown.push(ref);
      return whole;
    }
    if (!used.includes(name)) used.push(name);
    return render(lookup.get(name), ref, at) ?? whole;
  });
  return { text: out, used, unknown };
}

/** For env values and paths: each value as `formatParam` writes it. */
export function interpolate(text: string, params: Params): InterpolationResult {
  return substitute(text, params, formatParam);
}

/**
 * For a `run:` command: each value becomes shell words that read back as the value, whatever it holds.
 * A list is one word per item (joined by spaces inside quotes); null is one empty word; other values
 * are one word as `formatParam` writes them.
 */
export function interpolateCommand(text: string, params: Params): CommandInterpolation {
  const refs = [...text.matchAll(PATTERN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const contexts = refs.length ? shellContexts(text, refs) : [];
  const unquotable: CommandInterpolation['unquotable'] = [];
  const result = substitute(text, params, (value, ref, i) => {
    const words = Array.isArray(value) ? value.map(formatParam) : [formatParam(value)];
    const context = contexts[i]!;
    const quoted = quoteAt(context, words, text.slice(ref.start, ref.end));
    if (quoted === undefined) unquotable.push({ ...ref, context });
    return quoted;
  });
  return { ...result, unquotable };
}

/** The first reference `interpolateCommand` would refuse; cheap for the many commands with no backquote, `<<` or `\\$`. */
export function firstUnquotable(text: string): CommandInterpolation['unquotable'][number] | undefined {
  if (!/`|<<|\\\$/.test(text)) return undefined;
  const refs = [...text.matchAll(PATTERN)].map((m) => ({ name: m[1]!, start: m.index, end: m.index + m[0].length }));
  const contexts = shellContexts(text, refs);
  const i = contexts.findIndex((context) => quoteAt(context, [], '') === undefined);
  return i < 0 ? undefined : { ...refs[i]!, context: contexts[i]! };
}

/** Why a reference cannot be pasted into the command, and what to write instead. */
export function unquotableMessage(ref: CommandInterpolation['unquotable'][number]): string {
  const [where, instead] =
    ref.context === 'heredoc' ? ['in a here-document', 'pass it as an argument or read it from the environment']
    : ref.context === 'escaped' ? ['right after a backslash or as a here-document marker', 'remove the backslash, or read it from the environment']
    : ['inside backquotes', 'use $( ... ) instead of backquotes, or read it from the environment'];
  return `\${params.${ref.name}} stands ${where}, where no quoting is safe: ${instead} ($FLOWBENCH_PARAM_${upperSnake(ref.name)}).`;
}

/** How a param value reads as text: scalars as written, anything else as JSON. */
export function formatParam(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** `train.learningRate` -> `TRAIN_LEARNING_RATE`, for environment variable names. */
export function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();
}
