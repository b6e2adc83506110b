// runs/index.jsonl: one RunSummary per line, appended when a run starts, ends or is found
// interrupted, or a tombstone `{"id":…,"removed":true}` when it is deleted; the last line for an id wins. Listing reads this one file instead of opening every
// run's record, and a long-lived reader (the extension, or markInterrupted followed by list) only
// parses what was appended since its last read. The index is a cache of the records: the store
// rebuilds missing entries from them.
import { appendFileSync, closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import type { RunSummary } from './types';

/** Bytes read at a time: big enough that a slice costs little, small enough to stay out of the old generation. */
const READ_SLICE = 4 << 20;

interface IndexContents {
  summaries: Map<string, RunSummary>;
  /** Lines read, including superseded and unreadable ones: tells when compaction pays. */
  lines: number;
  /** Unreadable lines found by this read. */
  corrupt: number;
}

export class SummaryIndex {
  private summaries = new Map<string, RunSummary>();
  private lines = 0;
  /** Bytes of the file parsed so far, and which file (a rewrite replaces the inode). */
  private offset = 0;
  private ino = -1;

  constructor(readonly file: string) {}

  read(): IndexContents {
    let corrupt = 0;
    const put = (summary: RunSummary) => void this.summaries.set(summary.id, summary);
    const removed = (id: string) => void this.summaries.delete(id);
    for (const text of this.appended(() => undefined)) corrupt += this.parse(text, put, removed);
    return { summaries: this.summaries, lines: this.lines, corrupt };
  }

  /**
   * Hands `onSummary` each summary appended since the last read, in file order, keeping none of them: a
   * reader that keeps its own state (the experiments panel's run table) never holds 100,000 summaries at
   * once. `onReset` comes first when the file was replaced (a rewrite) or is gone: what follows is the
   * whole file again. `onRemoved` gets the ids of tombstones. `pause` runs between slices, so a long-lived
   * reader's event loop keeps turning.
   */
  async readInSlices(
    onSummary: (summary: RunSummary) => void,
    onRemoved: (id: string) => void,
    onReset: () => void,
    pause: () => Promise<void>,
  ): Promise<{ corrupt: number }> {
    let corrupt = 0;
    for (const text of this.appended(onReset)) {
      corrupt += this.parse(text, onSummary, onRemoved);
      await pause();
    }
    return { corrupt };
  }

  /** Which file (inode) was read, and how far: the lines before `offset` have all been handed over. */
  get position(): { ino: number; offset: number } {
    return { ino: this.ino, offset: this.offset };
  }

  /**
   * Continues from a position another reader reached in the same file (a table cache's), as if this one had
   * read that far; if the file is another one by now, the next read starts over (onReset).
   */
  resume(ino: number, offset: number): void {
    this.reset(ino);
    this.offset = offset;
  }

  /** True when the next read starts over: nothing was read yet, or the file was replaced or cut. */
  startsOver(): boolean {
    if (this.ino === -1) return true;
    try {
      const { ino, size } = statSync(this.file);
      return ino !== this.ino || size < this.offset;
    } catch {
      return true;
    }
  }

  /**
   * The whole lines appended since the last read, a slice of the file at a time (so a 300 MB index never
   * becomes one string), each counted as read once the caller asks for the next.
   */
  private *appended(onReset: () => void): Generator<string> {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      this.reset(-1);
      onReset();
      return;
    }
    try {
      const { ino, size } = fstatSync(fd);
      if (ino !== this.ino || size < this.offset) {
        this.reset(ino);
        onReset();
      }
      let buffer = Buffer.alloc(Math.min(READ_SLICE, Math.max(0, size - this.offset)));
      let held = 0; // bytes at the start of `buffer` carried over from the last slice: a line not ended yet
      for (;;) {
        const want = Math.min(buffer.length - held, size - this.offset - held);
        if (want <= 0) break;
        const n = readSync(fd, buffer, held, want, this.offset + held);
        if (n === 0) break;
        const got = held + n;
        // Stop at the last newline: what follows may be an append still being written.
        const end = buffer.lastIndexOf(0x0a, got - 1) + 1;
        if (end === 0 && got === buffer.length) {
          // One line longer than a slice (a hand-edited index): hold more.
          const bigger = Buffer.alloc(buffer.length * 2);
          buffer.copy(bigger, 0, 0, got);
          buffer = bigger;
          held = got;
          continue;
        }
        yield buffer.toString('utf8', 0, end);
        this.offset += end;
        buffer.copy(buffer, 0, end, got);
        held = got - end;
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Each append starts with a newline so a line torn by a killed writer can never swallow the next
   * one; one write() call with O_APPEND keeps concurrent appenders from interleaving on local disks.
   */
  append(summaries: RunSummary[]): void {
    if (summaries.length === 0) return;
    appendFileSync(this.file, summaries.map((s) => '\n' + JSON.stringify(s)).join('') + '\n');
  }

  /** Marks runs deleted, so readers drop them without the file being rewritten. */
  appendRemoved(ids: string[]): void {
    if (ids.length === 0) return;
    appendFileSync(this.file, ids.map((id) => '\n' + JSON.stringify({ id, removed: true })).join('') + '\n');
  }

  /** Replaces the file with exactly these summaries (compaction, or repair after corruption). */
  rewrite(summaries: Map<string, RunSummary>, durable: boolean): void {
    let text = '';
    for (const s of summaries.values()) text += JSON.stringify(s) + '\n';
    writeFileAtomic(this.file, text, durable);
    this.reset(-1); // re-read once from the new file, then incrementally again
  }

  private reset(ino: number): void {
    this.summaries = new Map();
    this.lines = 0;
    this.offset = 0;
    this.ino = ino;
  }

  private parse(text: string, onSummary: (summary: RunSummary) => void, onRemoved: (id: string) => void): number {
    let corrupt = 0;
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      this.lines++;
      try {
        const summary = JSON.parse(line) as RunSummary & { removed?: unknown };
        if (typeof summary.id !== 'string') throw new Error('not a summary');
        if (summary.removed === true) onRemoved(summary.id);
        else if (typeof summary.start !== 'number') throw new Error('not a summary');
        else onSummary(summary);
      } catch {
        corrupt++;
      }
    }
    return corrupt;
  }
}
