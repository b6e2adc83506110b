// runs/index.jsonl: one RunSummary per line, appended when a run starts, ends or is found
// interrupted; the last line for an id wins. Listing reads this one file instead of opening every
// run's record, and a long-lived reader (the extension, or markInterrupted followed by list) only
// parses what was appended since its last read. The index is a cache of the records: the store
// rebuilds missing entries from them.
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import type { RunSummary } from './types';

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
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      this.reset(-1);
      return { summaries: this.summaries, lines: 0, corrupt: 0 };
    }
    let corrupt = 0;
    try {
      const { ino, size } = fstatSync(fd);
      if (ino !== this.ino || size < this.offset) this.reset(ino);
      if (size > this.offset) {
        const buffer = Buffer.alloc(size - this.offset);
        let got = 0;
        while (got < buffer.length) {
          const n = readSync(fd, buffer, got, buffer.length - got, this.offset + got);
          if (n === 0) break;
          got += n;
        }
        // Stop at the last newline: what follows may be an append still being written.
        const end = buffer.lastIndexOf(0x0a, got - 1) + 1;
        corrupt = this.parse(buffer.toString('utf8', 0, end));
        this.offset += end;
      }
    } finally {
      closeSync(fd);
    }
    return { summaries: this.summaries, lines: this.lines, corrupt };
  }

  /**
   * Each append starts with a newline so a line torn by a killed writer can never swallow the next
   * one; one write() call with O_APPEND keeps concurrent appenders from interleaving on local disks.
   */
  append(summaries: RunSummary[]): void {
    if (summaries.length === 0) return;
    appendFileSync(this.file, summaries.map((s) => '\n' + JSON.stringify(s)).join('') + '\n');
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

  private parse(text: string): number {
    let corrupt = 0;
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      this.lines++;
      try {
        const summary = JSON.parse(line) as RunSummary;
        if (typeof summary.id !== 'string' || typeof summary.start !== 'number') throw new Error('not a summary');
        this.summaries.set(summary.id, summary);
      } catch {
        corrupt++;
      }
    }
    return corrupt;
  }
}
