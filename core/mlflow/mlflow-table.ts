// MLflow's runs as the experiments panel's table, cached under the project's .flowbench/mlflow/ in the run
// table's binary format (core/runs/table-cache.ts), so the panel reopened copies columns instead of reading
// MLflow again. The cache is keyed by a cheap text of the source's state, never trusted over it:
// - mlflow.db: size, mtime and inode of the database and of its -wal (a commit moves one of them), taken
//   before the read, so a write during the read makes the cache unused next time. A file changed within
//   RACY_MS of the read may change again within the same mtime tick: such a table is written under a key
//   nothing matches, read once by whoever asked and made anew at the next read.
// - mlruns/: the file-store index (file-store-index.ts) already checks every stamp MLflow moves and is
//   rewritten whenever a run changed; its own size, mtime and inode, after the read, are the key.
// Native-free: the extension host checks an mlflow.db's key and reads the table in-process.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { TrackingLocation } from './locate';

export const RACY_MS = 2000;

export function mlflowTableFile(cacheDir: string, location: TrackingLocation): string {
  return join(cacheDir, `table-${createHash('sha256').update(location.uri).digest('hex').slice(0, 16)}.table`);
}

/** `empty`: a missing or empty file, whose times say nothing of what it holds. */
function stampOf(file: string, empty = false): { text: string; mtimeMs: number } {
  try {
    const st = statSync(file);
    if (empty && st.size === 0) return { text: '-', mtimeMs: 0 };
    return { text: `${st.size}:${st.mtimeMs}:${st.ino}`, mtimeMs: st.mtimeMs };
  } catch {
    return { text: '-', mtimeMs: 0 };
  }
}

/** The key of an mlflow.db as it is now; `racy` when it changed too recently to be told from the next change. */
export function sqliteKey(file: string, now = Date.now()): { key: string; racy: boolean } {
  const db = stampOf(file);
  // An empty -wal holds nothing (a reader's open may create one): only the database's stamp counts then.
  const wal = stampOf(`${file}-wal`, true);
  return { key: `sqlite ${db.text} wal ${wal.text}`, racy: now - Math.max(db.mtimeMs, wal.mtimeMs) < RACY_MS };
}

/** The key of an mlruns/ folder read through its index file (written atomically: a new inode each time). */
export function fileStoreKey(indexFile: string): string {
  return `mlruns ${stampOf(indexFile).text}`;
}

/** A key no state of any source has: the table is for the one who asked, not for the next read. */
export function racyKey(key: string, now = Date.now()): string {
  return `racy ${now} ${key}`;
}
