// Atomic file writes for the engine's caches and state: a crash or kill mid-write must never leave a
// half-written file, so every write goes to a temp file in the same directory and is renamed over the target.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../runs/atomic';

let counter = 0;

function tempNameFor(file: string): string {
  return `${file}.${process.pid}.${++counter}.tmp`;
}

/** Folders known to exist, so writing a record per step costs no extra mkdir. */
const madeDirs = new Set<string>();

export function writeJsonAtomicSync(file: string, value: unknown): void {
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  try {
    writeFileAtomic(file, JSON.stringify(value));
  } catch (err) {
    // The folder may have been removed since (a user cleaning .flowbench): recreate it once.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, JSON.stringify(value));
  }
}

/** Copies `from` to `to` through a temp file; reflinks where the file system allows, else copies bytes. */
export async function copyFileAtomic(from: string, to: string, mode?: number): Promise<void> {
  await fs.promises.mkdir(path.dirname(to), { recursive: true });
  const temp = tempNameFor(to);
  try {
    await fs.promises.copyFile(from, temp, fs.constants.COPYFILE_FICLONE);
    if (mode !== undefined) await fs.promises.chmod(temp, mode);
    await fs.promises.rename(temp, to);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
}

/** Parses a JSON file; a missing or unreadable file is `undefined` (callers treat it as "no record"). */
export function readJsonSync<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
