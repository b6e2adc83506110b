// Content digests of files and directories (sha256), consulting the stat cache first.
// A directory digests as the sha256 of its sorted manifest of (relative path, hash, size) lines.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

/** Files up to this size are read whole; larger ones are streamed in chunks of this size. */
const WHOLE_READ_LIMIT = 8 << 20;

export async function sha256File(abs: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size <= WHOLE_READ_LIMIT) return hash.update(await fs.promises.readFile(abs)).digest('hex');
  const handle = await fs.promises.open(abs, 'r');
  try {
    const buffer = Buffer.allocUnsafe(WHOLE_READ_LIMIT);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ContentHasher {
  // Reads run on libuv's thread pool while sha256 runs on this thread; a handful in flight keeps both busy.
  private readonly files = new Semaphore(8);
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly cache?: StatCache) {}

  /** Digest of a file or directory; `undefined` when nothing exists at `abs`. */
  async digest(abs: string): Promise<PathDigest | undefined> {
    // A stat from the page cache takes microseconds; a thread-pool round trip per file would cost more.
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (st.isDirectory()) return this.digestDir(abs);
    return { kind: 'file', hash: await this.fileHash(abs, st), size: st.size };
  }

  saveCache(): void {
    this.cache?.save();
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
        .use(() => sha256File(abs, st.size))
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
        return { path: rel, hash: await this.fileHash(abs, st), size: st.size };
      }),
    );
    const manifest = files.map((f) => `${f.path}\t${f.hash}\t${f.size}\n`).join('');
    return { kind: 'dir', hash: sha256Text(manifest), size: files.reduce((n, f) => n + f.size, 0), files };
  }
}
