// Deterministic document mutations for the fuzz test: line and character edits, random unicode
// (astral characters, combining marks, lone surrogates, control characters) and very long lines.

export type Random = () => number;

/** mulberry32: small, fast, seedable; the fuzz run is reproducible from its seed. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rnd: Random, n: number) => Math.floor(rnd() * n);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, items.length)]!;

const ODD_TEXT = ['😀', '🦆', '𝔘', '\u0301', '\u200b', '\u202e', '\ud800', '\udfff', '\0', '\t', '\r', '\r\n', '{{', '}}', '{%', '${params.', "ref('", ':', '- ', '[', ']', '"', "'", '#', '&anchor', '*alias', '!!binary', '|', '>', '---', '...', 'ü', '中文'];

function randomUnicode(rnd: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    const roll = rnd();
    if (roll < 0.4) out += pick(rnd, ODD_TEXT);
    else if (roll < 0.6) out += String.fromCodePoint(0x10000 + int(rnd, 0x10ffff - 0x10000));
    else if (roll < 0.8) out += String.fromCharCode(int(rnd, 0xd7ff));
    else out += String.fromCharCode(32 + int(rnd, 95));
  }
  return out;
}

const MUTATIONS: ((text: string, rnd: Random) => string)[] = [
  function deleteLine(text, rnd) {
    const lines = text.split('\n');
    lines.splice(int(rnd, lines.length), 1);
    return lines.join('\n');
  },
  function duplicateLine(text, rnd) {
    const lines = text.split('\n');
    const i = int(rnd, lines.length);
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  },
  function swapLines(text, rnd) {
    const lines = text.split('\n');
    const i = int(rnd, lines.length);
    const j = int(rnd, lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  },
  function deleteChars(text, rnd) {
    const i = int(rnd, text.length + 1);
    return text.slice(0, i) + text.slice(i + 1 + int(rnd, 4));
  },
  function duplicateChars(text, rnd) {
    const i = int(rnd, text.length + 1);
    return text.slice(0, i) + text.slice(i, i + 1 + int(rnd, 8)) + text.slice(i);
  },
  function swapChars(text, rnd) {
    if (text.length < 2) return text;
    const i = int(rnd, text.length - 1);
    return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
  },
  function insertUnicode(text, rnd) {
    const i = int(rnd, text.length + 1);
    return text.slice(0, i) + randomUnicode(rnd, 1 + int(rnd, 12)) + text.slice(i);
  },
  function reindent(text, rnd) {
    const lines = text.split('\n');
    const i = int(rnd, lines.length);
    lines[i] = ' '.repeat(int(rnd, 9)) + lines[i]!.trimStart();
    return lines.join('\n');
  },
  function longLine(text, rnd) {
    const i = text.indexOf('\n', int(rnd, text.length + 1));
    const at = i < 0 ? text.length : i;
    return text.slice(0, at) + pick(rnd, ['x', '😀', '${params.a}', "{{ ref('x') }}", ' ']).repeat(10_000 + int(rnd, 40_000)) + text.slice(at);
  },
];

/** One to four random mutations of `text`; long lines are rare so the run stays quick. */
export function mutate(text: string, rnd: Random): string {
  let out = text;
  const count = 1 + int(rnd, 4);
  for (let i = 0; i < count; i++) {
    const which = rnd() < 0.02 ? MUTATIONS.length - 1 : int(rnd, MUTATIONS.length - 1);
    out = MUTATIONS[which]!(out, rnd);
  }
  return out;
}

/** A document of about `bytes` characters built by repeating mutated copies of `text`. */
export function huge(text: string, bytes: number, rnd: Random): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const part = rnd() < 0.5 ? text : mutate(text, rnd);
    parts.push(part);
    size += part.length;
  }
  return parts.join('\n');
}

export { int, pick };
