// `path.resolve(root, p)` for a flow's folder: every analysis of a flow asks it about the same few hundred paths
// (outs, deps, SQL files), many times per analysis and again on each edit. A pure function of its arguments once
// `root` is absolute (it then does not depend on the working folder), so its answers are kept.
import { isAbsolute, resolve } from 'node:path';

/** By root, then by path: a key made of both would be a new string to hash on every call. */
const known = new Map<string, Map<string, string>>();
const LIMIT = 1 << 16;

export function resolveIn(root: string, p: string): string {
  if (!isAbsolute(root)) return resolve(root, p);
  let paths = known.get(root);
  if (!paths) known.set(root, (paths = new Map()));
  let abs = paths.get(p);
  if (abs === undefined) {
    if (paths.size >= LIMIT) paths.clear();
    paths.set(p, (abs = resolve(root, p)));
  }
  return abs;
}
