// runs/index.table: the run table (table.ts) of runs/index.jsonl's first N bytes, in binary, so a reader
// that opens a store of 100,000 runs copies columns instead of parsing ~270 MB of JSON; the lines after
// byte N (runs appended since) are parsed on top. The index stays the truth: the cache is used only
// when it proves it describes this index file (same inode and birth time, at least N bytes, the same bytes
// at sampled places of its first N) and its own bytes are intact (SHA-1 over header and sections); anything
// else (torn, corrupt, of another version, of a replaced or cut index) is ignored and written anew.
//
// Layout: "FBRUNTB1", u32 header length, 20 bytes of SHA-1, the header (JSON: the index stamp, the columns
// and where their sections are, the summaries of runs listed as running), then the sections, each at a
// multiple of 8: per column its kinds (or one kind for all rows), its numbers as Float64, and for text a
// dictionary (a JSON array) with a Uint32 code per row (0: no text).
// The same format holds tables of other sources (MLflow's runs), their header naming the source's state.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { writeFileAtomic } from './atomic';
import { KIND_COUNT, RunTable, type ColumnImage, type TableImage } from './table';
import type { RunSummary } from './types';

const MAGIC = Buffer.from('FBRUNTB1');
const PREAMBLE = MAGIC.length + 4 + 20;
const TEXT = 2;
// A local copy: an imported binding read in a loop of 10,000,000 cells costs a getter call each under tsx.
const KINDS = KIND_COUNT;
/** Bytes of the index compared at each end of the covered part, and between them in this many blocks. */
const EDGE = 64 << 10;
const BLOCK = 4 << 10;
const BLOCKS = 14;

/** Which index file, and which of its bytes, a cache was made from. */
interface IndexStamp {
  dev: number;
  ino: number;
  birthtimeMs: number;
  /** The cache holds what lines [0, covered) say. */
  covered: number;
  /** SHA-1 of the sampled bytes of [0, covered). */
  sample: string;
  /** The index's mtime when it was exactly `covered` long then: an edit in place that keeps the length shows. */
  mtimeMs?: number;
}

type Section = [at: number, bytes: number];

interface ColumnEntry {
  key: string;
  group: ColumnImage['group'];
  numbers: number;
  texts: number;
  /** One kind for every row, or a Uint8 per row. */
  kind: number | Section;
  num?: Section;
  dict?: Section;
  codes?: Section;
}

interface Header {
  /** The run index a store's cache describes; a table of another source has `source` instead. */
  index?: IndexStamp;
  source?: string;
  rows: number;
  alive: Section;
  columns: ColumnEntry[];
  skips: TableImage['skips'];
  droppedColumns: string[];
  running?: RunSummary[];
  corrupt?: number;
}

export interface TableCache {
  table: RunTable;
  /** The index's inode and the offset the cache covers: where to go on parsing. */
  ino: number;
  covered: number;
  /** The latest summaries of the runs the covered lines list as running. */
  running: RunSummary[];
  /** Unreadable lines among the covered ones (a reader warns of them as a parse would). */
  corrupt: number;
  /** Size of the cache file. */
  bytes: number;
}

export interface CacheContents {
  /** The index file (inode) the table was read from, and the offset it holds the lines before. */
  ino: number;
  covered: number;
  /** Exactly what those lines say. */
  table: RunTable;
  /** The latest summaries of the runs they list as running. */
  running: RunSummary[];
  corrupt: number;
}

/**
 * Writes the cache; answers its size in bytes. Nothing is written (false) when the index at `indexFile` is
 * no longer inode `ino` with at least `covered` bytes: the table describes a file that is gone.
 */
export function writeTableCache(file: string, indexFile: string, { ino, covered, table, running, corrupt }: CacheContents): number | false {
  const stamp = withIndex(indexFile, (fd, st) => (st.ino === ino && st.size >= covered ? stampOf(fd, st, covered) : undefined));
  if (!stamp) return false;
  return writeTable(file, table, { index: stamp, running, corrupt });
}

/**
 * A table of another source (MLflow's runs, core/mlflow/mlflow-table.ts), its state as one `source` text the
 * caller makes (file sizes and times): read back only while the caller's text for the source is the same.
 */
export function writeSourceTable(file: string, source: string, table: RunTable): number {
  return writeTable(file, table, { source });
}

/** The table written for `source` (exactly that text), else why not (missing, torn, of another state). */
export function readSourceTable(file: string, source: string): RunTable | string {
  const read = readTable(file, (header) => (header.source === source ? '' : 'of another state of its source'));
  return typeof read === 'string' ? read : read.table;
}

/** The `source` a table file was written for, from its header alone (its sections are checked when read). */
export function sourceOfTable(file: string): string | undefined {
  const head = readHeader(file);
  if (typeof head === 'string') return undefined;
  closeSync(head.fd);
  return typeof head.header.source === 'string' ? head.header.source : undefined;
}

function writeTable(file: string, table: RunTable, head: Pick<Header, 'index' | 'running' | 'corrupt' | 'source'>): number {
  const image = table.image();
  const sections: Uint8Array[] = [];
  let at = 0;
  const add = (bytes: Uint8Array): Section => {
    const section: Section = [at, bytes.byteLength];
    sections.push(bytes);
    at += bytes.byteLength;
    const pad = (8 - (at % 8)) % 8;
    if (pad) {
      sections.push(new Uint8Array(pad));
      at += pad;
    }
    return section;
  };
  const alive = add(image.alive);
  const columns = image.columns.map((c): ColumnEntry => {
    const entry: ColumnEntry = { key: c.key, group: c.group, numbers: c.numbers, texts: c.texts, kind: oneKind(c.kind) ?? add(c.kind) };
    if (c.numbers > 0) entry.num = add(new Uint8Array(c.num.buffer, c.num.byteOffset, c.num.byteLength));
    if (c.text) {
      const dict: string[] = [];
      const codeOf = new Map<string, number>();
      const codes = new Uint32Array(image.rows);
      for (let r = 0; r < image.rows; r++) {
        if (c.kind[r] !== TEXT) continue;
        const text = c.text[r];
        let code = codeOf.get(text);
        if (code === undefined) codeOf.set(text, (code = dict.push(text)));
        codes[r] = code;
      }
      entry.dict = add(Buffer.from(JSON.stringify(dict)));
      entry.codes = add(new Uint8Array(codes.buffer));
    }
    return entry;
  });
  const header: Header = { ...head, rows: image.rows, alive, columns, skips: image.skips, droppedColumns: image.droppedColumns };
  let headerBytes = Buffer.from(JSON.stringify(header));
  // Sections start at a multiple of 8 in the file: padded header.
  const pad = (8 - ((PREAMBLE + headerBytes.length) % 8)) % 8;
  if (pad) headerBytes = Buffer.concat([headerBytes, Buffer.alloc(pad, 0x20)]);
  const hash = createHash('sha1').update(headerBytes);
  for (const s of sections) hash.update(s);
  const preamble = Buffer.alloc(PREAMBLE);
  MAGIC.copy(preamble);
  preamble.writeUInt32LE(headerBytes.length, MAGIC.length);
  hash.digest().copy(preamble, MAGIC.length + 4);
  writeFileAtomic(file, [preamble, headerBytes, ...sections]);
  return PREAMBLE + headerBytes.length + at;
}

/**
 * The cache at `file` if it is intact and describes `indexFile` as it is now; otherwise why not (missing,
 * torn, corrupt, of another index). Never throws.
 */
export function readTableCache(file: string, indexFile: string): TableCache | string {
  const read = readTable(file, (header) => withIndex(indexFile, (indexFd, st) => stampMismatch(header.index, indexFd, st)) ?? 'no index');
  if (typeof read === 'string') return read;
  const { table, header, bytes } = read;
  return { table, ino: header.index!.ino, covered: header.index!.covered, running: header.running ?? [], corrupt: header.corrupt ?? 0, bytes };
}

/** The preamble and header of a table file, its descriptor left open for the sections; or why not. */
function readHeader(file: string): { fd: number; size: number; preamble: Buffer; headerBytes: Buffer; header: Header } | string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 'no cache';
  }
  let ok = false;
  try {
    const size = fstatSync(fd).size;
    const preamble = Buffer.alloc(PREAMBLE);
    if (size < PREAMBLE || readSync(fd, preamble, 0, PREAMBLE, 0) !== PREAMBLE || !preamble.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a table cache of this version';
    const headerLength = preamble.readUInt32LE(MAGIC.length);
    if (PREAMBLE + headerLength > size) return 'torn';
    const headerBytes = Buffer.alloc(headerLength);
    if (readSync(fd, headerBytes, 0, headerLength, PREAMBLE) !== headerLength) return 'torn';
    let header: Header;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as Header;
    } catch {
      return 'corrupt header';
    }
    if (typeof header !== 'object' || header === null) return 'corrupt header';
    ok = true;
    return { fd, size, preamble, headerBytes, header };
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  } finally {
    if (!ok) closeSync(fd);
  }
}

/** The table at `file` if `check` finds its header describes what it should ('') and its bytes are whole. */
function readTable(file: string, check: (header: Header) => string): { table: RunTable; header: Header; bytes: number } | string {
  const head = readHeader(file);
  if (typeof head === 'string') return head;
  const { fd, size, preamble, headerBytes, header } = head;
  try {
    const why = check(header);
    if (why) return why;
    const hash = createHash('sha1').update(headerBytes);
    const base = PREAMBLE + headerBytes.length;
    const reader = new SectionReader(fd, base, size, hash);
    const decoded = decode(header, reader);
    if (typeof decoded === 'string') return decoded;
    if (reader.end !== size - base) return 'torn';
    if (!hash.digest().equals(preamble.subarray(MAGIC.length + 4))) return 'corrupt (checksum)';
    return { table: decoded, header, bytes: size };
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  } finally {
    closeSync(fd);
  }
}

/** Reads the sections, in file order, straight into the arrays they fill, hashing them as they come. */
class SectionReader {
  /** Bytes of sections read (and hashed), padding included. */
  end = 0;

  constructor(
    private readonly fd: number,
    private readonly base: number,
    private readonly size: number,
    private readonly hash: Hash,
  ) {}

  /** Fills `into` (as bytes) from the section, which must be the next one and of its length. */
  read(section: Section | undefined, into: ArrayBufferView): boolean {
    if (!Array.isArray(section) || section[0] !== this.end || section[1] !== into.byteLength) return false;
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    const padded = section[1] + ((8 - (section[1] % 8)) % 8);
    if (this.base + this.end + padded > this.size) return false;
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, this.base + this.end + done);
      if (n === 0) return false;
      done += n;
    }
    this.hash.update(bytes);
    if (padded > section[1]) {
      const pad = Buffer.alloc(padded - section[1]);
      readSync(this.fd, pad, 0, pad.length, this.base + this.end + section[1]);
      this.hash.update(pad);
    }
    this.end += padded;
    return true;
  }
}

function decode(header: Header, reader: SectionReader): RunTable | string {
  const rows = header.rows;
  if (!Number.isInteger(rows) || rows < 0 || !Array.isArray(header.columns)) return 'corrupt header';
  // Room for the runs appended after it, so the first one does not double every column.
  const capacity = rows + (rows >> 3) + 16;
  const alive = new Uint8Array(capacity);
  if (!reader.read(header.alive, alive.subarray(0, rows))) return 'corrupt section (alive)';
  const columns: ColumnImage[] = [];
  for (const entry of header.columns) {
    const kind = new Uint8Array(capacity);
    if (typeof entry.kind === 'number') kind.fill(entry.kind, 0, rows);
    else if (!reader.read(entry.kind, kind.subarray(0, rows))) return `corrupt section (${entry.key})`;
    const num = new Float64Array(capacity);
    if (entry.num && !reader.read(entry.num, num.subarray(0, rows))) return `corrupt section (${entry.key})`;
    let text: string[] | undefined;
    if (entry.dict) {
      const dictBytes = new Uint8Array(Array.isArray(entry.dict) ? entry.dict[1] : 0);
      const codes = new Uint32Array(rows);
      if (!reader.read(entry.dict, dictBytes) || !reader.read(entry.codes, codes)) return `corrupt section (${entry.key})`;
      const dict = JSON.parse(Buffer.from(dictBytes.buffer, dictBytes.byteOffset, dictBytes.byteLength).toString('utf8')) as string[];
      text = textsOf(dict, codes, kind, rows);
      if (!text) return `corrupt section (${entry.key})`;
    }
    // The counts the table keeps, checked against the kinds: cheap, and it catches a cache of another shape.
    const counts = typeof entry.kind === 'number' ? countOneKind(entry.kind, rows, text) : countKinds(kind, rows, text);
    if (!counts || counts[0] !== entry.numbers || counts[1] !== entry.texts) return `corrupt counts (${entry.key})`;
    const [numbers, texts] = counts;
    columns.push({ key: entry.key, group: entry.group, kind, num, text, numbers, texts });
  }
  try {
    return RunTable.fromImage({ rows, alive, columns, skips: header.skips, droppedColumns: header.droppedColumns ?? [] });
  } catch (err) {
    return `corrupt table: ${(err as Error).message}`;
  }
}

/** Each TEXT row's text from its code; undefined when a code is out of range or on a row of another kind. */
function textsOf(dict: string[], codes: Uint32Array, kind: Uint8Array, rows: number): string[] | undefined {
  if (!Array.isArray(dict)) return undefined;
  const text = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    const code = codes[r];
    if (code === 0) continue;
    if (code > dict.length || kind[r] !== TEXT) return undefined;
    text[r] = dict[code - 1];
  }
  return text;
}

/** NUMBER rows and other non-missing rows; undefined for a kind that is none, or a TEXT row without text. */
function countKinds(kind: Uint8Array, rows: number, text: string[] | undefined): [numbers: number, others: number] | undefined {
  let numbers = 0;
  let others = 0;
  for (let r = 0; r < rows; r++) {
    const k = kind[r];
    if (k === 1) numbers++;
    else if (k !== 0) {
      if (k >= KINDS || (k === TEXT && (text === undefined || text[r] === undefined))) return undefined;
      others++;
    }
  }
  return [numbers, others];
}

/** countKinds for a column of one kind (most: a param or metric every run has as a number), without a loop
 *  over its rows but for text. */
function countOneKind(k: number, rows: number, text: string[] | undefined): [numbers: number, others: number] | undefined {
  if (!Number.isInteger(k) || k < 0 || k >= KINDS) return undefined;
  if (k === TEXT) for (let r = 0; r < rows; r++) if (text === undefined || text[r] === undefined) return undefined;
  return k === 1 ? [rows, 0] : k === 0 ? [0, 0] : [0, rows];
}

function oneKind(kind: Uint8Array): number | undefined {
  const first = kind.length > 0 ? kind[0] : 0;
  for (let r = 1; r < kind.length; r++) if (kind[r] !== first) return undefined;
  return first;
}

function withIndex<T>(indexFile: string, fn: (fd: number, st: Stats) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(indexFile, 'r');
  } catch {
    return undefined;
  }
  try {
    return fn(fd, fstatSync(fd));
  } finally {
    closeSync(fd);
  }
}

function stampOf(fd: number, st: Stats, covered: number): IndexStamp {
  return {
    dev: st.dev, ino: st.ino, birthtimeMs: st.birthtimeMs, covered, sample: sampleOf(fd, covered),
    ...(st.size === covered ? { mtimeMs: st.mtimeMs } : {}),
  };
}

/** Why the index is not the file (or not the bytes) the stamp describes; '' when it is. */
function stampMismatch(stamp: IndexStamp | undefined, fd: number, st: Stats): string {
  if (typeof stamp?.covered !== 'number') return 'corrupt header';
  if (st.dev !== stamp.dev || st.ino !== stamp.ino || st.birthtimeMs !== stamp.birthtimeMs) return 'of another index file';
  if (st.size < stamp.covered) return 'of a longer index (it was cut)';
  if (st.size === stamp.covered && stamp.mtimeMs !== undefined && st.mtimeMs !== stamp.mtimeMs) return 'of an index changed in place';
  if (sampleOf(fd, stamp.covered) !== stamp.sample) return 'of an index changed in place';
  return '';
}

/** SHA-1 of both ends of [0, covered) and of blocks spread between them. */
function sampleOf(fd: number, covered: number): string {
  const hash = createHash('sha1');
  const buffer = Buffer.alloc(EDGE);
  const take = (from: number, length: number) => {
    const n = readSync(fd, buffer, 0, Math.min(length, covered - from), from);
    hash.update(buffer.subarray(0, n));
  };
  take(0, EDGE);
  for (let i = 1; i <= BLOCKS; i++) take(Math.floor((covered * i) / (BLOCKS + 1)), BLOCK);
  take(Math.max(0, covered - EDGE), EDGE);
  return hash.update(String(covered)).digest('hex');
}
