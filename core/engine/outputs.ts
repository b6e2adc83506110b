// What a step produced: one record per declared out (file or directory), with content hashes, the modes
// that are not the usual 0o644 and the empty folders, so a restore gives back what the step left.
// FIFOs, sockets and devices are no outs: they cannot be copied, so they are left out and reported.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContentHasher, FileEntry } from './hasher';

export interface OutputRecord {
  /** As declared in the flow, relative to the flow folder. */
  path: string;
  kind: 'file' | 'dir';
  hash: string;
  size: number;
  /** Permission bits of a file out, when not 0o644 (absent in records written before modes were kept). */
  mode?: number;
  /** Directory contents, for a directory out. */
  files?: FileEntry[];
  /** Folders with no file below them, for a directory out. */
  dirs?: string[];
}

/**
 * Hashes each declared out that exists; lists the ones that do not, and the special files left out
 * (paths relative to the flow folder).
 */
export async function hashOutputs(root: string, declared: string[], hasher: ContentHasher): Promise<{ records: OutputRecord[]; missing: string[]; skipped: string[] }> {
  const records: OutputRecord[] = [];
  const missing: string[] = [];
  const skipped: string[] = [];
  const digests = await Promise.all(
    declared.map((p) => {
      const abs = path.resolve(root, p);
      const st = fs.statSync(abs, { throwIfNoEntry: false });
      return st && !st.isFile() && !st.isDirectory() ? 'special' : hasher.digest(abs, { regularOnly: true });
    }),
  );
  declared.forEach((p, i) => {
    const d = digests[i];
    if (!d) missing.push(p);
    else if (d === 'special') skipped.push(p);
    else if (d.kind === 'file') records.push({ path: p, kind: 'file', hash: d.hash, size: d.size, ...(d.mode !== undefined ? { mode: d.mode } : {}) });
    else {
      records.push({ path: p, kind: 'dir', hash: d.hash, size: d.size, files: d.files, ...(d.dirs ? { dirs: d.dirs } : {}) });
      for (const s of d.skipped ?? []) skipped.push(`${p.replace(/\/+$/, '')}/${s}`);
    }
  });
  return { records, missing, skipped };
}

/** How the outs on disk differ from the recorded ones: "outs: models/model.onnx missing" / "... modified". */
export async function outputDrift(root: string, recorded: OutputRecord[], hasher: ContentHasher): Promise<string[]> {
  const now = await hashOutputs(root, recorded.map((o) => o.path), hasher);
  const current = new Map(now.records.map((r) => [r.path, r.hash]));
  const reasons: string[] = [];
  for (const out of recorded) {
    const hash = current.get(out.path);
    if (hash === undefined) reasons.push(`outs: ${out.path} missing`);
    else if (hash !== out.hash) reasons.push(`outs: ${out.path} modified`);
  }
  return reasons;
}
