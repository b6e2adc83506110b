// Finds where a failing step broke, from its stderr: the innermost Python frame or the first Node frame
// that points into the flow folder (library frames outside it say little about the user's mistake).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from './events';

const PYTHON_FRAME = /File "([^"]+)", line (\d+)/;
const NODE_FRAME = /\(?((?:file:\/\/)?\/[^\s():]+|[\w./-]+\.[cm]?[jt]sx?):(\d+)(?::(\d+))?\)?/;

function inside(root: string, file: string, cwd: string): string | undefined {
  let abs = file.startsWith('file://') ? fileURLToPath(file) : file;
  abs = path.resolve(cwd, abs);
  const rel = path.relative(root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('node_modules')) return undefined;
  return abs;
}

export function findErrorLocation(stderrLines: string[], root: string, cwd: string): SourceLocation | undefined {
  let python: SourceLocation | undefined;
  for (const line of stderrLines) {
    const m = PYTHON_FRAME.exec(line);
    const file = m && inside(root, m[1]!, cwd);
    if (file) python = { file, line: Number(m![2]) };
  }
  if (python) return python;
  for (const line of stderrLines) {
    const m = NODE_FRAME.exec(line);
    const file = m && inside(root, m[1]!, cwd);
    if (file) return { file, line: Number(m![2]), ...(m![3] ? { column: Number(m![3]) } : {}) };
  }
  return undefined;
}
