// An append-only file of JSON lines, one key per line, the last line for a key winning. Step records and
// cache manifests live in journals rather than a file each: appending a line to an open file costs
// microseconds, creating and renaming a file per step costs a large share of a short step's run time.
//
// Crash safety: each line goes out in one write(2) on an O_APPEND descriptor. A process killed mid-write
// leaves at most a torn last line, which readers skip and the next writer closes with a newline first. A
// lost line only ever loses a record, and a step without its record simply runs (or is restored) again.
//
// One writing process at a time: a compaction renames a new file into place, so a line another process appends
// between the compaction's read and its rename is lost. Runs hold the state folder's lock (run-lock.ts) over the
// state and cache journals. A journal written without that lock (the stars) compacts rarely, and a writer whose
// descriptor points at a replaced file opens the new one before appending. Readers in other processes are safe:
// they see the old file or the new one.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Line<T> {
  k: string;
  /** Absent for a deletion. */
  v?: T;
}

/** Rewrite the journal when it holds this many times more lines than live keys (plus some slack). */
const COMPACT_RATIO = 4;
const COMPACT_SLACK = 64;

export class Journal<T> {
  private readonly entries = new Map<string, T>();
  private lines = 0;
  private seen: { size: number; mtimeMs: number; ino: number } | undefined;
  private fd: number | undefined;

  constructor(
    private readonly file: string,
    private readonly accept: (key: string, value: unknown) => value is T,
  ) {}

  get(key: string): T | undefined {
    this.refresh();
    return this.entries.get(key);
  }

  /** Every live key, as the file says now. */
  keys(): string[] {
    this.refresh();
    return [...this.entries.keys()];
  }

  set(key: string, value: T): void {
    this.append({ k: key, v: value });
    this.entries.set(key, value);
  }

  delete(key: string): void {
    if (!this.get(key)) return;
    this.append({ k: key });
    this.entries.delete(key);
  }

  /** Releases the descriptor; the next write opens it again. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** Re-reads the file when another process (or a compaction) changed it since this one last looked. */
  private refresh(): void {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      this.entries.clear();
      this.lines = 0;
      this.seen = undefined;
      return;
    }
    if (this.seen && this.seen.size === st.size && this.seen.mtimeMs === st.mtimeMs && this.seen.ino === st.ino) return;
    this.entries.clear();
    this.lines = 0;
    for (const text of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (!text) continue;
      this.lines++;
      let line: Line<unknown>;
      try {
        line = JSON.parse(text) as Line<unknown>;
      } catch {
        continue; // a torn line from a killed writer
      }
      if (typeof line?.k !== 'string') continue;
      if (line.v !== undefined && this.accept(line.k, line.v)) this.entries.set(line.k, line.v);
      else this.entries.delete(line.k);
    }
    this.seen = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }

  private append(line: Line<T>): void {
    if (this.fd !== undefined && this.replaced(this.fd)) this.close();
    if (this.fd === undefined) this.open();
    let text = JSON.stringify(line) + '\n';
    // Another writer appended since this one last looked; if it was killed mid-line, start a fresh one.
    const size = fs.fstatSync(this.fd!).size;
    if (size !== this.seen?.size && size > 0 && !endsWithNewline(this.fd!, size)) text = '\n' + text;
    fs.writeSync(this.fd!, text);
    this.lines++;
    const st = fs.fstatSync(this.fd!);
    this.seen = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }

  private open(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.refresh();
    if (this.lines > COMPACT_RATIO * this.entries.size + COMPACT_SLACK) this.compact();
    this.fd = fs.openSync(this.file, 'a+');
    const size = fs.fstatSync(this.fd).size;
    if (size > 0 && !endsWithNewline(this.fd, size)) fs.writeSync(this.fd, '\n');
  }

  /**
   * Another process compacted the file (renamed a new one over it) since this descriptor was opened: lines
   * written through it would land in the replaced file, which no reader opens again. Costs one stat per line.
   */
  private replaced(fd: number): boolean {
    try {
      return fs.statSync(this.file).ino !== fs.fstatSync(fd).ino;
    } catch {
      return true; // removed: open() creates it again
    }
  }

  /** Replaces the file by one line per live key, atomically (temp file + rename). */
  private compact(): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    const text = [...this.entries].map(([k, v]) => JSON.stringify({ k, v }) + '\n').join('');
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, this.file);
    this.lines = this.entries.size;
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] === 10;
}
