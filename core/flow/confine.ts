// Where the paths a flow names may lead. Outs are replaced (and so deleted) on restore, so they must lie
// inside the flow's folder and away from what Flowbench and git keep there; paths a step only reads
// (deps, sources, SQL files, cwd) may lie anywhere in its project, the git work tree holding the flow
// (or the flow's folder when there is none).
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isWithin } from './graph';

/** A path that names a remote object (`s3://…`, `https://…`) rather than a file. */
export function isUrl(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

/** The nearest folder at or above `flowRoot` holding `.git`; `flowRoot` itself when there is none. */
export function projectRoot(flowRoot: string, exists: (path: string) => boolean): string {
  for (let dir = flowRoot; ; dir = dirname(dir)) {
    if (exists(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return flowRoot;
  }
}

/**
 * Why a step may not read `abs` (a path it names, resolved), or undefined when it may: it lies outside
 * `project` (see projectRoot). URLs name no file here and are always allowed.
 */
export function readViolation(raw: string, abs: string, flowRoot: string, project: string): string | undefined {
  if (isUrl(raw) || isWithin(abs, project)) return undefined;
  return `lies outside ${project === flowRoot ? 'the flow\'s folder (no git work tree holds it)' : `its project ${project}`}`;
}

/** Each of `files` and every folder holding it up to `flowRoot`, mapped to the file: what an out must not be. */
export function keptPaths(flowRoot: string, files: Iterable<string>): Map<string, string> {
  const kept = new Map<string, string>();
  for (const file of files) {
    for (let p = file; isWithin(p, flowRoot) && p !== flowRoot && !kept.has(p); p = dirname(p)) kept.set(p, file);
  }
  return kept;
}

/**
 * Why the out `raw` (as written) may not be declared, or undefined when it may: outside the flow folder, the
 * folder itself, in `.flowbench/` or `.git/`, or one of `kept` (see keptPaths: the flow and SQL files).
 */
export function outViolation(flowRoot: string, raw: string, abs: string, kept: Map<string, string>): { code: 'FB043' | 'FB044'; why: string } | undefined {
  if (isAbsolute(raw)) return { code: 'FB043', why: 'it is an absolute path' };
  if (!isWithin(abs, flowRoot)) return { code: 'FB043', why: 'it lies outside the flow\'s folder' };
  if (abs === flowRoot) return { code: 'FB044', why: 'it is the flow\'s folder itself' };
  for (const name of ['.flowbench', '.git']) {
    if (isWithin(abs, flowRoot + sep + name)) return { code: 'FB044', why: `it lies in ${name}/, which ${name === '.git' ? 'git' : 'Flowbench'} keeps` };
  }
  const file = kept.get(abs);
  if (file) return { code: 'FB044', why: `${abs === file ? 'it is' : 'it holds'} ${relative(flowRoot, file)}, a file of the flow` };
  return undefined;
}

/**
 * Whether the folders on the way to a path lead outside `flowRoot` through a symlink. Walks down from the
 * flow folder and stops at the first folder that does not exist yet (nothing below it can be a link), so
 * a deep new path costs one lookup. One per analysis: real paths and each folder's verdict are remembered,
 * so the hundreds of outs of a large flow, mostly in a few folders, cost a few realpath calls in all.
 */
export class FolderLinks {
  private readonly real = new Map<string, string | null>();
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly flowRoot: string) {}

  /** Whether a folder on the way to `abs` is a symlink leading outside the flow folder. */
  leadOutside(abs: string): boolean {
    const folder = dirname(abs);
    let verdict = this.verdicts.get(folder);
    if (verdict === undefined) {
      verdict = this.walk(folder);
      this.verdicts.set(folder, verdict);
    }
    return verdict;
  }

  private walk(folder: string): boolean {
    const realRoot = this.realFolder(this.flowRoot);
    const parts = relative(this.flowRoot, folder).split(sep).filter(Boolean);
    if (realRoot === null || parts[0] === '..') return false;
    let dir = this.flowRoot;
    for (const part of parts) {
      dir = join(dir, part);
      const real = this.realFolder(dir);
      if (real === null) return false;
      if (!isWithin(real, realRoot)) return true;
    }
    return false;
  }

  private realFolder(dir: string): string | null {
    let real = this.real.get(dir);
    if (real === undefined) {
      try {
        real = realpathSync.native(dir);
      } catch {
        real = null;
      }
      this.real.set(dir, real);
    }
    return real;
  }
}

/**
 * The absolute path of the out `rel` under `root`, for code about to delete or replace it; throws
 * when it is not one a valid flow can declare, whatever the flow file or a cache manifest says.
 * `.flowbench/tables/<step>.parquet`, a SQL step's implicit out, is the one allowed path under `.flowbench/`.
 */
export function replaceableOut(root: string, rel: string): string {
  const abs = resolve(root, rel);
  const table = dirname(abs) === join(root, '.flowbench', 'tables') && abs.endsWith('.parquet');
  const violation = table ? undefined : outViolation(root, rel, abs, new Map());
  if (violation) throw new Error(`refusing to replace '${rel}': ${violation.why}; only outs inside the flow's folder are ever replaced`);
  if (new FolderLinks(root).leadOutside(abs)) throw new Error(`refusing to replace '${rel}': a folder on its path is a symlink leading outside the flow's folder`);
  return abs;
}
