// Content-addressed cache of step outputs: objects/<aa>/<sha256> holds file contents (read-only, so nobody
// edits a cached object by accident) and the journal manifests.jsonl says, per fingerprint, which objects
// make up the outs of a successful step with that fingerprint. Outputs are always copied in and out, never linked, so a user
// editing a restored file cannot corrupt the cache.
//
// An object is trusted only once its content was seen to match its name: when it is stored, or by hashing
// it before its first restore. The stat cache remembers that by (size, mtime, inode, ctime), so an object
// is hashed once, and again only after something touched it. A corrupt object is removed, never restored.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWithin } from '../flow/graph';
import { replaceableOut } from '../flow/confine';
import { copyFileAtomic } from './atomic';
import { USUAL_MODE, type ContentHasher } from './hasher';
import { Journal } from './journal';
import type { OutputRecord } from './outputs';
import { Semaphore } from './pool';

export interface RunManifest {
  version: 1;
  fingerprint: string;
  step: string;
  outputs: OutputRecord[];
  storedAt: number;
}

export class ContentStore {
  private readonly copies = new Semaphore(4);
  private readonly objectsDir: string;
  private readonly manifests: Journal<RunManifest>;

  constructor(
    stateDir: string,
    private readonly hasher: ContentHasher,
  ) {
    this.objectsDir = path.join(stateDir, 'cache', 'objects');
    this.manifests = new Journal(path.join(stateDir, 'cache', 'manifests.jsonl'), (fp, m): m is RunManifest =>
      (m as RunManifest)?.version === 1 && (m as RunManifest).fingerprint === fp);
  }

  objectPath(hash: string): string {
    return path.join(this.objectsDir, hash.slice(0, 2), hash);
  }

  close(): void {
    this.manifests.close();
  }

  manifest(fingerprint: string): RunManifest | undefined {
    return this.manifests.get(fingerprint);
  }

  /**
   * Whether every object the manifest needs is present (a cache may be pruned by hand) and holds what its
   * name says. Corrupt objects are removed, so the step runs and stores them again; `corrupt` names the
   * files of the outs they held.
   */
  async check(manifest: RunManifest): Promise<{ complete: boolean; corrupt: string[] }> {
    const objects = manifest.outputs.flatMap((out) =>
      out.kind === 'dir' ? (out.files ?? []).map((f) => ({ ...f, path: `${out.path.replace(/\/+$/, '')}/${f.path}` })) : [out],
    );
    const found = await Promise.all(
      objects.map(async (obj): Promise<'missing' | 'corrupt' | 'ok'> => {
        const file = this.objectPath(obj.hash);
        const st = await fs.promises.stat(file).catch(() => undefined);
        if (!st || st.size !== obj.size) return 'missing';
        if (await this.holds(file, obj.hash)) return 'ok';
        await fs.promises.rm(file, { force: true });
        return 'corrupt';
      }),
    );
    return { complete: found.every((f) => f === 'ok'), corrupt: objects.filter((_, i) => found[i] === 'corrupt').map((o) => o.path) };
  }

  /** Copies the outs (already hashed, under `root`) into the store. Throws if an out changed after it was hashed. */
  async storeObjects(root: string, outputs: OutputRecord[]): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const out of outputs) {
      const base = path.resolve(root, out.path);
      for (const obj of out.kind === 'dir' ? out.files ?? [] : [{ ...out, path: '' }]) {
        const source = obj.path ? path.join(base, obj.path) : base;
        jobs.push(this.copies.use(() => this.storeObject(source, obj.hash, obj.size)));
      }
    }
    await Promise.all(jobs);
  }

  /** Records which objects make up the outs of a successful step; call once `storeObjects` put them there. */
  recordRun(step: string, fingerprint: string, outputs: OutputRecord[]): void {
    // An identical manifest (the same step run again) is not written twice.
    const known = this.manifest(fingerprint);
    if (known && JSON.stringify(known.outputs) === JSON.stringify(outputs)) return;
    this.manifests.set(fingerprint, { version: 1, fingerprint, step, outputs, storedAt: Date.now() });
  }

  /** Puts the manifest's outs back under `root`, replacing whatever is there. */
  async restore(root: string, manifest: RunManifest): Promise<void> {
    for (const out of manifest.outputs) {
      const dest = replaceableOut(root, out.path);
      if (out.kind === 'file') {
        await fs.promises.rm(dest, { recursive: true, force: true });
        await copyFileAtomic(this.objectPath(out.hash), dest, out.mode ?? USUAL_MODE);
        continue;
      }
      // Build the directory beside its final place, then swap it in.
      const staging = `${dest}.${process.pid}.restoring`;
      await fs.promises.rm(staging, { recursive: true, force: true });
      await fs.promises.mkdir(staging, { recursive: true });
      await Promise.all(
        (out.files ?? []).map((f) => this.copies.use(() => copyFileAtomic(this.objectPath(f.hash), inside(staging, f.path), f.mode ?? USUAL_MODE))),
      );
      for (const dir of out.dirs ?? []) await fs.promises.mkdir(inside(staging, dir), { recursive: true });
      await fs.promises.rm(dest, { recursive: true, force: true });
      await fs.promises.rename(staging, dest);
    }
  }

  private async storeObject(source: string, hash: string, size: number): Promise<void> {
    const target = this.objectPath(hash);
    const existing = await fs.promises.stat(target).catch(() => undefined);
    // A corrupt object of the right size is replaced, not kept.
    if (existing?.size === size && (await this.holds(target, hash))) return;
    const before = await fs.promises.stat(source);
    await copyFileAtomic(source, target, 0o444);
    const after = await fs.promises.stat(source);
    if (before.size !== size || after.size !== size || after.mtimeMs !== before.mtimeMs) {
      await fs.promises.rm(target, { force: true });
      throw new Error(`${source} changed while it was being cached; is something still writing it?`);
    }
    this.hasher.remember(target, hash);
  }

  /** Hashes the object unless the stat cache saw it with this content and an unchanged stat. */
  private async holds(file: string, hash: string): Promise<boolean> {
    return (await this.hasher.digest(file).catch(() => undefined))?.hash === hash;
  }
}

/** `dir/rel`, refusing a manifest entry that would lead out of `dir`. */
function inside(dir: string, rel: string): string {
  const file = path.resolve(dir, rel);
  if (file === dir || !isWithin(file, dir)) throw new Error(`refusing to restore '${rel}': it would land outside the folder out it belongs to`);
  return file;
}
