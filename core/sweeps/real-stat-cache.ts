// The stat cache a sweep's variants share, keyed by real path: a source or dep that a variant reaches
// through its workspace's symlinks is hashed once for the whole sweep (and is already known from the
// project's own runs), instead of once per variant under its scratch path; a 3 GB source would otherwise
// be read again by every variant. An out, a real file in the scratch folder, keeps its own path. The
// entries still match only on size, mtime, inode and ctime, so nothing is trusted that changed.
import { realpathSync, type Stats } from 'node:fs';
import { StatCache } from '../engine/statcache';

export class RealPathStatCache extends StatCache {
  override lookup(abs: string, st: Stats): string | undefined {
    return super.lookup(real(abs), st);
  }

  override record(abs: string, st: Stats, sha256: string): void {
    super.record(real(abs), st, sha256);
  }
}

function real(abs: string): string {
  try {
    return realpathSync.native(abs);
  } catch {
    return abs;
  }
}
