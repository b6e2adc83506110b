// The files a source table's `path:` names: the path after `${params.x}`, and for a glob the files it
// matches now (fast-glob, sorted), so the fingerprint, the checks and DuckDB all see the same list.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type FastGlob from 'fast-glob';
import { isUrl } from './confine';

/**
 * fast-glob is loaded on the first glob only: with its dependencies it was a quarter of the extension's
 * activation (15 of 57 ms, profiled), and most flows name plain files.
 */
let fastGlob: typeof FastGlob | undefined;
const fg = (): typeof FastGlob => (fastGlob ??= require('fast-glob') as typeof FastGlob);

/** Characters without which fast-glob never sees a pattern, so plain paths are judged without loading it. */
const GLOB_SYNTAX = /[*?[\]{}()!+@]/;

export interface SourceFiles {
  /** The path after interpolation, as written otherwise (relative to the flow folder, or absolute). */
  path: string;
  /** A pattern (`data/*.csv`) rather than one file. A path that exists as written is never a pattern. */
  glob: boolean;
  /** Absolute paths: the one file, or the glob's matches (none when it matches nothing). Empty for a URL. */
  files: string[];
}

export function isGlob(root: string, path: string): boolean {
  return !isUrl(path) && GLOB_SYNTAX.test(path) && fg().isDynamicPattern(path) && !exists(resolve(root, path));
}

/** What `path` (already interpolated) names under `root`, looked up on disk now. */
export function sourceFiles(root: string, path: string): SourceFiles {
  if (isUrl(path)) return { path, glob: false, files: [] };
  if (!isGlob(root, path)) return { path, glob: false, files: [resolve(root, path)] };
  return { path, glob: true, files: match(root, path) };
}

function match(root: string, pattern: string): string[] {
  return fg().sync(pattern, { cwd: root, absolute: true, onlyFiles: true, suppressErrors: true }).sort();
}

/** The folder a glob's matches all lie in (`data` for `data/**\/*.csv`), absolute. */
export function globBase(root: string, pattern: string): string {
  return resolve(root, fg().generateTasks(pattern)[0]?.base ?? '.');
}

/**
 * A glob's matches for live checks (the editor validates on every keystroke): reused while the base
 * folder's mtime is unchanged, which catches files added or removed there; a pattern that reaches into
 * subfolders (`**`, `*\/x.csv`) is also looked up again after two seconds, since those folders have
 * mtimes of their own.
 */
const recent = new Map<string, { mtimeMs: number; at: number; files: string[] }>();
const RECHECK_MS = 2000;

export function cachedMatches(root: string, pattern: string): string[] {
  const key = `${root}\0${pattern}`;
  const base = globBase(root, pattern);
  const mtimeMs = mtimeOf(base);
  const nested = /[*?[{(!+@]/.test(pattern.slice(0, Math.max(0, pattern.lastIndexOf('/'))));
  const known = recent.get(key);
  const now = Date.now();
  if (known && known.mtimeMs === mtimeMs && (!nested || now - known.at < RECHECK_MS)) return known.files;
  const files = mtimeMs < 0 ? [] : match(root, pattern);
  if (recent.size > 256) recent.clear();
  recent.set(key, { mtimeMs, at: now, files });
  return files;
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function exists(path: string): boolean {
  return mtimeOf(path) >= 0;
}
