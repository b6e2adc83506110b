// Content digests of files and directories (sha256), consulting the stat cache first.
// A directory digests as the sha256 of its sorted manifest of (relative path, hash, size) lines. Modes and
// empty folders are kept beside the digest (a restore brings them back) but are not part of it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedHashPool } from './hash-pool';
import { Semaphore } from './pool';
import type { StatCache } from './statcache';

export interface FileEntry {
  /** Path relative to the directory being digested, with forward slashes. */
  path: string;
  hash: string;
  size: number;
  /** Permission bits, when they are not the usual 0o644. */
  mode?: number;
}

export type PathDigest =
  | { kind: 'file'; hash: string; size: number; mode?: number }
  | {
      kind: 'dir';
      hash: string;
      size: number;
      files: FileEntry[];
      /** Folders with no file below them, relative like `files`. */
      dirs?: string[];
      /** FIFOs, sockets and devices left out (with `regularOnly`). */
      skipped?: string[];
    };

export interface DigestOptions {
  /**
   * Leave special files out of a directory, as outs do: they cannot be copied into the cache (a FIFO
   * nobody writes blocks its reader forever). Deps count them, by kind, so replacing one is a change.
   */
  regularOnly?: boolean;
}

/** The mode records leave out; also what a file without a recorded mode is restored with. */
export const USUAL_MODE = 0o644;

function modeOf(st: fs.Stats): { mode?: number } {
  const mode = st.mode & 0o7777;
  return mode === USUAL_MODE ? {} : { mode };
}

/** Below this size a file is hashed on this thread: a round trip to a worker would cost more. */
const POOL_MIN_SIZE = 128 << 10;

async function sha256SmallFile(abs: string): Promise<string> {
  return createHash('sha256').update(await fs.promises.readFile(abs)).digest('hex');
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ContentHasher {
  // Enough files in flight to keep the hash workers and the I/O threads busy, few enough to bound memory.
  private readonly files = new Semaphore(8);
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly cache?: StatCache) {}

  /** Digest of a file or directory; `undefined` when nothing exists at `abs`. */
  async digest(abs: string, opts: DigestOptions = {}): Promise<PathDigest | undefined> {
    // A stat from the page cache takes microseconds; a thread-pool round trip per file would cost more.
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (st.isDirectory()) return this.digestDir(abs, opts);
    if (!st.isFile()) return specialFile(st);
    return { kind: 'file', hash: await this.fileHash(abs, st), size: st.size, ...modeOf(st) };
  }

  /** Never throws: in a read-only folder (or on a full disk) a lost stat cache only costs re-hashing. */
  saveCache(): void {
    try {
      this.cache?.save();
    } catch {
      // Nothing to do: the next run hashes again.
    }
  }

  /** Notes the hash of a file just written with known content (a restored out), so it is not read back. */
  remember(abs: string, hash: string): void {
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st?.isFile()) this.cache?.record(abs, st, hash);
  }

  private fileHash(abs: string, st: fs.Stats): Promise<string> {
    const known = this.cache?.lookup(abs, st);
    if (known) return Promise.resolve(known);
    // Steps sharing a dep ask for it at the same time; read it once.
    let pending = this.inFlight.get(abs);
    if (!pending) {
      pending = this.files
        .use(() => (st.size >= POOL_MIN_SIZE ? sharedHashPool.hash(abs) : sha256SmallFile(abs)))
        .then((hash) => {
          this.cache?.record(abs, st, hash);
          return hash;
        })
        .finally(() => this.inFlight.delete(abs));
      this.inFlight.set(abs, pending);
    }
    return pending;
  }

  private async digestDir(root: string, opts: DigestOptions): Promise<PathDigest> {
    const found: { rel: string; abs: string; st: fs.Stats }[] = [];
    const dirs: string[] = [];
    const skipped: string[] = [];
    /** Counts what the folder keeps, so a folder keeping nothing is listed as empty. */
    const walk = async (dir: string, prefix: string): Promise<number> => {
      let kept = 0;
      for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name);
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          kept += await walk(abs, rel);
          continue;
        }
        const st = fs.statSync(abs);
        if (opts.regularOnly && !st.isFile()) {
          skipped.push(rel);
          continue;
        }
        found.push({ rel, abs, st });
        kept++;
      }
      if (kept === 0 && prefix) dirs.push(prefix);
      return kept || (prefix ? 1 : 0);
    };
    await walk(root, '');
    const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    found.sort((a, b) => byPath(a.rel, b.rel));
    const files = await Promise.all(
      found.map(async ({ rel, abs, st }): Promise<FileEntry> => {
        if (!st.isFile()) return { path: rel, hash: specialFile(st).hash, size: 0 };
        return { path: rel, hash: await this.fileHash(abs, st), size: st.size, ...modeOf(st) };
      }),
    );
    const manifest = files.map((f) => `${f.path}\t${f.hash}\t${f.size}\n`).join('');
    return {
      kind: 'dir',
      hash: sha256Text(manifest),
      size: files.reduce((n, f) => n + f.size, 0),
      files,
      ...(dirs.length ? { dirs: dirs.sort(byPath) } : {}),
      ...(skipped.length ? { skipped: skipped.sort(byPath) } : {}),
    };
  }
}

/**
 * A FIFO, socket or device is never read: reading a FIFO nobody writes blocks forever. Its kind
 * alone stands for it, so replacing it by a regular file still counts as a change.
 */
function specialFile(st: fs.Stats): { kind: 'file'; hash: string; size: number } {
  return { kind: 'file', hash: sha256Text(`special file, mode ${st.mode.toString(8)}`), size: 0 };
}
