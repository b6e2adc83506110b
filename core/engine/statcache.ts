// Persistent (path, size, mtime, inode, ctime) -> sha256 map, so unchanged files are never hashed twice.
// Entries are only trusted when every stat field matches; a stale entry is simply replaced.
import type { Stats } from 'node:fs';
import { readJsonSync, writeJsonAtomicSync } from './atomic';

type Entry = [size: number, mtimeMs: number, ino: number, ctimeMs: number, sha256: string];

interface StatCacheFile {
  version: 1;
  entries: Record<string, Entry>;
}

export class StatCache {
  private readonly entries: Map<string, Entry>;
  private dirty = false;

  constructor(private readonly file: string) {
    const loaded = readJsonSync<StatCacheFile>(file);
    this.entries = new Map(loaded?.version === 1 ? Object.entries(loaded.entries) : []);
  }

  lookup(abs: string, st: Stats): string | undefined {
    const e = this.entries.get(abs);
    if (!e) return undefined;
    return e[0] === st.size && e[1] === st.mtimeMs && e[2] === st.ino && e[3] === st.ctimeMs ? e[4] : undefined;
  }

  record(abs: string, st: Stats, sha256: string): void {
    this.entries.set(abs, [st.size, st.mtimeMs, st.ino, st.ctimeMs, sha256]);
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    writeJsonAtomicSync(this.file, { version: 1, entries: Object.fromEntries(this.entries) } satisfies StatCacheFile);
    this.dirty = false;
  }
}
