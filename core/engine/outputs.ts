// What a step produced: one record per declared out (file or directory), with content hashes.
import * as path from 'node:path';
import type { ContentHasher, FileEntry } from './hasher';

export interface OutputRecord {
  /** As declared in the flow, relative to the flow folder. */
  path: string;
  kind: 'file' | 'dir';
  hash: string;
  size: number;
  /** Directory contents, for a directory out. */
  files?: FileEntry[];
}

/** Every object (file content) an output record refers to. */
export function objectsOf(out: OutputRecord): { hash: string; size: number }[] {
  return out.kind === 'dir' ? (out.files ?? []) : [out];
}

/** Hashes each declared out that exists; lists the ones that do not. */
export async function hashOutputs(root: string, declared: string[], hasher: ContentHasher): Promise<{ records: OutputRecord[]; missing: string[] }> {
  const digests = await Promise.all(declared.map((p) => hasher.digest(path.resolve(root, p))));
  const records: OutputRecord[] = [];
  const missing: string[] = [];
  declared.forEach((p, i) => {
    const d = digests[i];
    if (!d) missing.push(p);
    else records.push(d.kind === 'dir' ? { path: p, kind: 'dir', hash: d.hash, size: d.size, files: d.files } : { path: p, kind: 'file', hash: d.hash, size: d.size });
  });
  return { records, missing };
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
