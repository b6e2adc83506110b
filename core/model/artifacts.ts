// A run's outs as they were when it ran: restored from the content-addressed cache (.flowbench/cache) by the
// sha256 its record kept, so an old run's card shows ITS model and numbers, not the working copy's.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContentHasher } from '../engine/hasher';
import type { Artifact, RunRecord } from '../runs/types';

export interface FoundArtifact {
  artifact: Artifact;
  /** A readable file with exactly the recorded content: the cache object, or the working file if it still matches. */
  file: string;
}

export type ArtifactLookup = { found: FoundArtifact } | { problem: string; artifact?: Artifact };

/** The cache object's path for a sha256 (core/engine/cas.ts lays objects out as objects/<aa>/<sha256>). */
export function objectPath(stateDir: string, sha256: string): string {
  return join(stateDir, 'cache', 'objects', sha256.slice(0, 2), sha256);
}

export function artifactOf(record: RunRecord, root: string, path: string): Artifact | undefined {
  const target = resolve(root, path);
  return record.artifacts.find((a) => resolve(root, a.path) === target);
}

export async function locateArtifact(record: RunRecord, root: string, stateDir: string, path: string): Promise<ArtifactLookup> {
  const artifact = artifactOf(record, root, path);
  if (!artifact) return { problem: `run ${record.id} recorded no '${path}' (the step that writes it did not succeed in this run, or the path is not one of its outs)` };
  const object = objectPath(stateDir, artifact.sha256);
  if (existsSync(object) && statSync(object).size === artifact.size) return { found: { artifact, file: object } };
  const working = resolve(root, artifact.path);
  if (existsSync(working) && statSync(working).isFile() && (await fileSha256(working)) === artifact.sha256) return { found: { artifact, file: working } };
  return {
    artifact,
    problem: `run ${record.id}'s '${artifact.path}' (sha256 ${artifact.sha256.slice(0, 12)}…) is no longer in the cache and the working file ${existsSync(working) ? 'has changed since' : 'is gone'}; re-run the flow to get it back`,
  };
}

/** A run's JSON out, parsed; a problem (never a throw) when it is missing or not JSON. */
export async function readArtifactJson(record: RunRecord, root: string, stateDir: string, path: string): Promise<{ value: unknown; artifact: Artifact } | { problem: string }> {
  const found = await locateArtifact(record, root, stateDir, path);
  if ('problem' in found) return found;
  try {
    return { value: JSON.parse(readFileSync(found.found.file, 'utf8')), artifact: found.found.artifact };
  } catch (err) {
    return { problem: `'${path}' of run ${record.id} is not valid JSON: ${(err as Error).message}` };
  }
}

/** sha256 of a file (large ones streamed in the engine's hash workers); no stat cache: the card never writes state. */
export async function fileSha256(path: string): Promise<string | undefined> {
  const digest = await new ContentHasher().digest(path);
  return digest?.kind === 'file' ? digest.hash : undefined;
}
