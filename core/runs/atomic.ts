// Crash-safe file replacement: write a temp file beside the target, then rename over it.
// rename(2) within one directory is atomic, so a reader (or a process killed mid-write) sees
// either the old content or the new one, never a torn file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * `content` may come in parts, written one after the other (never joined in memory). `durable` also fsyncs
 * file and directory: use it where losing the write to a power cut matters. `mode` is the new file's
 * permissions (before the umask), set before the rename so no reader sees it otherwise.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | readonly Uint8Array[], durable = false, mode?: number): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${counter++}.tmp`);
  const fd = openSync(temp, 'w', mode);
  try {
    // write(2) may write less than asked on a full disk without failing; only the next call says ENOSPC.
    const parts = typeof content === 'string' ? [Buffer.from(content)] : content instanceof Uint8Array ? [content] : content;
    for (const bytes of parts) for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
  if (durable) syncDirectory(dirname(file));
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
