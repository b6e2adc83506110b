// The local endpoint's request log, `<name>/requests.jsonl` (one RequestLogLine per line). Appends are
// buffered and written in the background, one write at a time, so logging never holds a response; whole
// lines only, so a reader meets at most a torn last line after a crash. At `maxBytes` the file becomes
// `requests.1.jsonl` (replacing the older one) and a new file starts.
import { appendFileSync, createReadStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { appendFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RequestLogLine } from './types';

export const LOG_MAX_BYTES = 16 * 1024 * 1024;
const FLUSH_MS = 200;
const FLUSH_BYTES = 256 * 1024;

export function rotatedLogPath(file: string): string {
  return `${file.replace(/\.jsonl$/, '')}.1.jsonl`;
}

export class RequestLog {
  private buffer: string[] = [];
  private buffered = 0;
  private size: number;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string, private readonly maxBytes = LOG_MAX_BYTES, private readonly onError: (err: Error) => void = () => {}) {
    mkdirSync(dirname(file), { recursive: true });
    this.size = existsSync(file) ? statSync(file).size : 0;
  }

  add(entry: RequestLogLine): void {
    const text = JSON.stringify(entry) + '\n';
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= FLUSH_BYTES) this.flushSoon(0);
    else this.flushSoon(FLUSH_MS);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  /** Writes what is buffered; resolves when it is on disk. */
  flush(): Promise<void> {
    if (this.writing) return this.writing.then(() => this.flush());
    if (this.buffer.length === 0) return Promise.resolve();
    const chunk = this.take();
    this.writing = this.write(chunk).catch((err: Error) => this.onError(err)).finally(() => (this.writing = undefined));
    return this.writing;
  }

  private take(): string {
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    return chunk;
  }

  private async write(chunk: string): Promise<void> {
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.maxBytes) {
      await rename(this.file, rotatedLogPath(this.file)).catch(() => {});
      this.size = 0;
    }
    await appendFile(this.file, chunk);
    this.size += bytes;
  }

  /** At exit: whatever is left, synchronously (an in-flight async append finishes on its own first). */
  flushSync(): void {
    clearTimeout(this.timer);
    if (this.buffer.length === 0) return;
    const chunk = this.take();
    const bytes = Buffer.byteLength(chunk);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        renameSync(this.file, rotatedLogPath(this.file));
        this.size = 0;
      }
      appendFileSync(this.file, chunk);
      this.size += bytes;
    } catch (err) {
      this.onError(err as Error);
    }
  }
}

/** Requests logged so far (the current file and the rotated one), counting whole lines. */
export async function countRequests(file: string): Promise<number> {
  let n = 0;
  for (const f of [rotatedLogPath(file), file]) {
    if (!existsSync(f)) continue;
    for await (const chunk of createReadStream(f)) {
      const buf = chunk as Buffer;
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
    }
  }
  return n;
}
