// A protobuf wire-format walker over a file handle: field tags and lengths, so an ONNX file is inspected
// without holding it in memory. Hand-written because protobufjs (under onnx-proto) decodes only whole
// buffers: decoding a 500 MB model with onnx.ModelProto.decode needs the file in memory plus the decoded
// objects (measured by test/bench/onnx.bench.ts: peak RSS above the model's size), while this walker keeps
// one 64 KiB buffer and seeks over the initializers' data. Small sub-messages (nodes, value infos) are read
// as bytes and decoded with onnx-proto; nothing here knows ONNX's schema.
import type { FileHandle } from 'node:fs/promises';

/** The file ended inside a field: `needed` is where the field would have ended. */
export class TruncatedError extends Error {
  constructor(readonly needed: number) {
    super(`the file ends before byte ${needed}`);
  }
}

/** Bytes that cannot be protobuf (a group or unknown wire type, a runaway varint, a length past its message). */
export class MalformedError extends Error {}

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  field: number;
  wire: number;
  /** The varint's value (wire 0). */
  value: number;
  /** Where a length-delimited field's content starts and ends (wire 2). */
  start: number;
  end: number;
  /** The field's content would end past the end of the file (`end` says where). */
  truncated: boolean;
}

const CHUNK = 64 * 1024;
/** A tag plus a length are at most 20 bytes: with that much buffered both decode without awaiting. */
const HEADER = 20;

export class ProtoFileReader {
  private buf = Buffer.alloc(CHUNK);
  /** File offset of buf[0], and how many bytes of buf are valid. */
  private bufStart = 0;
  private bufLen = 0;
  pos = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** Makes at least min(n, size - pos) bytes at `pos` available in the buffer. */
  private async fill(n: number): Promise<void> {
    const bufEnd = this.bufStart + this.bufLen;
    if (this.pos >= this.bufStart && this.pos <= bufEnd && (bufEnd - this.pos >= n || bufEnd >= this.size)) return;
    if (n > this.buf.length) this.buf = Buffer.alloc(n);
    const want = Math.min(this.buf.length, this.size - this.pos);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(this.buf, got, want - got, this.pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.bufStart = this.pos;
    this.bufLen = got;
  }

  private varintSync(end: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw this.pos >= this.size ? new TruncatedError(this.pos + 1) : new MalformedError(`a number runs past its message at byte ${this.pos}`);
      const byte = this.buf[this.pos - this.bufStart]!;
      this.pos++;
      // Multiplication, not shifts: values above 2^31 (file offsets, int64 dims) stay exact up to 2^53.
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new MalformedError(`a number longer than 10 bytes at byte ${this.pos - 10}`);
  }

  /** The next varint before `end`. */
  async varint(end: number): Promise<number> {
    await this.fill(HEADER);
    return this.varintSync(end);
  }

  /** The next field of the message ending at `end`, or undefined at its end. A bytes field's content is left unread. */
  async next(end: number): Promise<Field | undefined> {
    if (this.pos >= end) return undefined;
    await this.fill(HEADER);
    const tagAt = this.pos;
    const tag = this.varintSync(end);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new MalformedError(`field number 0 at byte ${tagAt}`);
    let value = 0;
    let start = this.pos;
    let stop = this.pos;
    if (wire === WIRE.varint) value = this.varintSync(end);
    else if (wire === WIRE.bytes) {
      const length = this.varintSync(end);
      start = this.pos;
      stop = start + length;
      if (stop > end && !(stop > this.size && end >= this.size)) {
        throw new MalformedError(`field ${field} at byte ${tagAt} is ${length} bytes long, past the end of its message at byte ${end}`);
      }
    } else if (wire === WIRE.fixed64 || wire === WIRE.fixed32) {
      stop = start + (wire === WIRE.fixed64 ? 8 : 4);
      if (stop > end) throw stop > this.size ? new TruncatedError(stop) : new MalformedError(`field ${field} at byte ${tagAt} runs past its message`);
      this.pos = stop;
    } else throw new MalformedError(`wire type ${wire} (field ${field}) at byte ${tagAt} is not used by ONNX`);
    return { field, wire, value, start, end: stop, truncated: stop > this.size };
  }

  /** A bytes field's content, copied (for the small sub-messages and strings). */
  async bytes(f: Field): Promise<Buffer> {
    if (f.truncated) throw new TruncatedError(f.end);
    const length = f.end - f.start;
    this.pos = f.start;
    await this.fill(length);
    const out = Buffer.from(this.buf.subarray(f.start - this.bufStart, f.end - this.bufStart));
    this.pos = f.end;
    return out;
  }

  /** A string field, at most `cap` bytes of it (a doc string the size of a weight file is not read whole). */
  async text(f: Field, cap = 1 << 20): Promise<string> {
    if (f.end - f.start <= cap) return (await this.bytes(f)).toString('utf8');
    const head = await this.bytes({ ...f, end: f.start + cap });
    this.pos = f.end;
    return head.toString('utf8') + '…';
  }

  /** Seeks past a field's content without reading it. */
  skip(f: Field): void {
    if (f.truncated) throw new TruncatedError(f.end);
    this.pos = f.end;
  }

  /** The first bytes of the file, for recognising other formats. */
  async head(n: number): Promise<Buffer> {
    const at = this.pos;
    this.pos = 0;
    await this.fill(n);
    const out = Buffer.from(this.buf.subarray(0, Math.min(n, this.bufLen)));
    this.pos = at;
    return out;
  }
}
