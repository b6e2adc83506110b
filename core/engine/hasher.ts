// Content digests of files and directories (sha256), consulting the stat cache first.
// A directory digests as the sha256 of its sorted manifest of (relative path, hash, size) lines.
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
}

export type PathDigest =
  | { kind: 'file'; hash: string; size: number }
  | { kind: 'dir'; hash: string; size: number; files: FileEntry[] };

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
  async digest(abs: string): Promise<PathDigest | undefined> {
    // A stat from the page cache takes microseconds; a thread-pool round trip per file would cost more.
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (st.isDirectory()) return this.digestDir(abs);
    if (!st.isFile()) return specialFile(st);
    return { kind: 'file', hash: await this.fileHash(abs, st), size: st.size };
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

  private async digestDir(root: string): Promise<PathDigest> {
    const found: { rel: string; abs: string }[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name);
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(abs, rel);
        else found.push({ rel, abs });
      }
    };
    await walk(root, '');
    found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    const files = await Promise.all(
      found.map(async ({ rel, abs }): Promise<FileEntry> => {
        const st = fs.statSync(abs);
        if (!st.isFile()) return { path: rel, hash: specialFile(st).hash, size: 0 };
        return { path: rel, hash: await this.fileHash(abs, st), size: st.size };
      }),
    );
    const manifest = files.map((f) => `${f.path}\t${f.hash}\t${f.size}\n`).join('');
    return { kind: 'dir', hash: sha256Text(manifest), size: files.reduce((n, f) => n + f.size, 0), files };
  }
}

/**
 * A FIFO, socket or device is never read: reading a FIFO nobody writes blocks forever. Its kind
 * alone stands for it, so replacing it by a regular file still counts as a change.
 */
function specialFile(st: fs.Stats): { kind: 'file'; hash: string; size: number } {
  return { kind: 'file', hash: sha256Text(`special file, mode ${st.mode.toString(8)}`), size: 0 };
}
