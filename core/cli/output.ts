// Where human-readable output goes. With --events stdout carries only JSON lines, so everything
// meant for people moves to stderr.
import type { Writable } from 'node:stream';

export interface Output {
  /** Human-readable results. */
  out: Writable & { isTTY?: boolean; columns?: number };
  /** Warnings and errors. */
  err: Writable;
  color: boolean;
}

export function consoleOutput(humanToStderr = false): Output {
  const out = humanToStderr ? process.stderr : process.stdout;
  return { out, err: process.stderr, color: wantsColor(Boolean(out.isTTY)) };
}

/** The usual conventions: FORCE_COLOR (e.g. from the extension, which shows output in a terminal) wins, then NO_COLOR. */
function wantsColor(isTTY: boolean): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return isTTY && !process.env.NO_COLOR;
}

export function line(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}

/** A problem as every command reports it on stderr: `<prefix>: message`, then its remedy indented below. */
export function problemLines(stream: Writable, prefix: string, problem: { message: string; remedy?: string }): void {
  line(stream, `${prefix}: ${problem.message}`);
  if (problem.remedy) line(stream, `  ${problem.remedy}`);
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1 } as const;
export type Color = keyof typeof codes;

export function paint(o: Output, color: Color, text: string): string {
  return o.color ? `\x1b[${codes[color]}m${text}\x1b[0m` : text;
}

/**
 * For JSON.stringify: a NaN or infinite number as the string "NaN", "Infinity" or "-Infinity" (JSON has
 * none, and null would make a diverged loss of an MLflow run look like a missing value).
 */
export function nonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
