// A single-pass reader for the block-style YAML subset flow files are written in. It builds exactly
// the tree the `yaml` package path builds (same nodes, values and offsets) and gives up — returns
// undefined — on anything outside the subset or on anything that would be an error, so that the
// `yaml` package stays the only source of error messages.
//
// Offsets follow the `yaml` package's ranges: a node's `end` is its range[1]. For a block mapping or
// sequence that is the range[2] of its last value, which reaches past the value's own text: over the
// rest of its line, over comment lines indented deeper than the collection that the `yaml` parser
// attaches to the value, and over trailing comments it keeps inside a nested collection. The
// `trail` field below tracks that range[2] of the node read last.
import type { ScalarValue, YamlTree, YMap, YNode, YPair, YScalar, YSeq } from './yaml-tree';

/** Thrown to abandon the fast path; a singleton, so no stack is captured. */
const BAIL = new (class Bail {})();

// Control characters, tabs, a CR outside CRLF, NEL, BOM and the Unicode line separators: left to the yaml package.
const UNSUPPORTED_CHAR = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u2028\u2029]|\r(?!\n)/;
const MAX_DEPTH = 64;
const MAX_KEY_LENGTH = 1024;

const NL = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const SQUOTE = 39;
const DQUOTE = 34;

export function readYamlFast(text: string): YamlTree | undefined {
  if (UNSUPPORTED_CHAR.test(text)) return undefined;
  try {
    return { root: new FastReader(text).document(), errors: [] };
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

function bail(): never {
  throw BAIL;
}

class FastReader {
  private readonly len: number;
  /** range[2] of the node read last. */
  private trail = 0;
  /** The next content line after the gap of blank and comment lines: its first non-space offset, or -1 at the end. */
  private nextCol = -1;
  private nextIndent = -1;
  /** Comment lines after the last value that the yaml parser keeps as a start-only item of the innermost collection. */
  private pendComment = false;
  private pendMaxIndent = -1;
  /** Whether the gap last scanned holds a comment line. */
  private gapHasComment = false;
  /** Cursor within a line while reading flow collections and scalars. */
  private cur = 0;

  constructor(private readonly text: string) {
    this.len = text.length;
  }

  document(): YNode {
    this.scanGap(0, -1);
    if (this.nextCol < 0 || this.nextIndent !== 0) bail();
    const root = this.blockMap(0, this.nextCol, 0);
    if (this.nextCol >= 0) bail();
    return root;
  }

  // ---- lines ----------------------------------------------------------------------------------

  /**
   * Skips blank and comment lines from the line starting at `from` up to the next content line.
   * With `mergeIndent` ≥ 0 the node read last is a one-line value the yaml parser lets comment
   * lines indented deeper than `mergeIndent` attach to, extending its range[2] (`trail`).
   */
  private scanGap(from: number, mergeIndent: number): void {
    const text = this.text;
    const len = this.len;
    let p = from;
    let gapHasComment = false;
    let pendComment = false;
    let pendMaxIndent = -1;
    let attachable = mergeIndent >= 0;
    while (p < len) {
      const q = this.skipSpaces(p);
      const indent = q - p;
      const c = this.code(q);
      if (c === NL) {
        p = this.lineBreak(q) + 1;
        continue;
      }
      if (c !== HASH) {
        if (indent === 0 && (text.startsWith('---', q) || text.startsWith('...', q))) bail();
        this.gapHasComment = gapHasComment;
        this.nextCol = q;
        this.nextIndent = indent;
        this.pendComment = pendComment;
        this.pendMaxIndent = pendMaxIndent;
        return;
      }
      let e = text.indexOf('\n', q);
      if (e < 0) e = len;
      gapHasComment = true;
      if (attachable && indent > mergeIndent) {
        this.trail = e < len ? e + 1 : len;
      } else {
        attachable = false;
        pendComment = true;
        if (indent > pendMaxIndent) pendMaxIndent = indent;
      }
      p = e + 1;
    }
    this.gapHasComment = gapHasComment;
    this.nextCol = -1;
    this.nextIndent = -1;
    this.pendComment = pendComment;
    this.pendMaxIndent = pendMaxIndent;
  }

  /** Where the end of the innermost open collection's tokens lies when the next content line closes it. */
  private get nextTokenStart(): number {
    return this.nextCol < 0 ? this.len : this.nextCol;
  }

  /** After a value on a line: spaces and an optional comment up to the newline; then the gap after it. */
  private endLine(p: number, mergeIndent: number): void {
    const text = this.text;
    let q = this.skipSpaces(p);
    if (q < this.len) {
      const c = this.code(q);
      if (c === HASH) {
        if (q === p) bail();
        q = text.indexOf('\n', q);
        if (q < 0) q = this.len;
      } else if (c === NL) q = this.lineBreak(q);
      else bail();
    }
    this.trail = q < this.len ? q + 1 : this.len;
    this.scanGap(q + 1, mergeIndent);
  }

  /**
   * A collection is closed by a less indented line (or the end). Trailing comment lines the yaml
   * parser kept in it as a start-only item stretch its range[2] to the next token; comment lines all
   * indented less than the collection move on to its parent.
   */
  private closeCollection(indent: number): void {
    if (this.pendComment && indent !== 0 && this.pendMaxIndent >= indent) {
      this.trail = this.nextTokenStart;
      this.pendComment = false;
    }
  }

  private isSeqIndicator(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const c = this.code(p + 1);
    return c === SPACE || c === NL;
  }

  /** The character code at `p`, with a line break (LF, or the CR of CRLF) or the end read as NL. */
  private code(p: number): number {
    if (p >= this.len) return NL;
    const c = this.text.charCodeAt(p);
    return c === CR ? NL : c;
  }

  /** The offset of the LF ending the line whose break starts at `q` (or the end of the text). */
  private lineBreak(q: number): number {
    return q < this.len && this.text.charCodeAt(q) === CR ? q + 1 : q;
  }

  // ---- block collections ----------------------------------------------------------------------

  private blockMap(indent: number, first: number, depth: number): YMap {
    if (depth > MAX_DEPTH) bail();
    const items: YPair[] = [];
    const keys = new Set<ScalarValue>();
    let p = first;
    for (;;) {
      const key = this.key(p);
      if (keys.has(key.value)) bail();
      keys.add(key.value);
      items.push({ key, value: this.mapValue(indent, this.cur, depth) });
      if (this.nextCol < 0 || this.nextIndent < indent) break;
      if (this.nextIndent > indent || this.isSeqIndicator(this.nextCol)) bail();
      p = this.nextCol;
    }
    const map: YMap = { kind: 'map', items, start: first, end: this.trail };
    this.closeCollection(indent);
    return map;
  }

  private blockSeq(indent: number, first: number, depth: number): YSeq {
    if (depth > MAX_DEPTH) bail();
    const items: YNode[] = [];
    let p = first;
    for (;;) {
      const q = this.skipSpaces(p + 1);
      const c = this.code(q);
      if (c === NL || c === HASH || this.isSeqIndicator(q)) bail();
      const lineStart = p - indent;
      if (this.keyColon(q) >= 0) items.push(this.blockMap(q - lineStart, q, depth + 1));
      else items.push(this.inlineValue(indent, q, depth));
      if (this.nextCol < 0 || this.nextIndent < indent) break;
      if (this.nextIndent > indent) bail();
      if (!this.isSeqIndicator(this.nextCol)) break;
      p = this.nextCol;
    }
    const seq: YSeq = { kind: 'seq', items, start: first, end: this.trail };
    this.closeCollection(indent);
    return seq;
  }

  /** The value after `key:` in a block mapping at `indent`; `p` is just past the colon. */
  private mapValue(indent: number, p: number, depth: number): YNode {
    const text = this.text;
    const q = this.skipSpaces(p);
    const c = this.code(q);
    if (c !== NL && c !== HASH) return this.inlineValue(indent, q, depth);
    // Nothing on the key's line: a nested collection on the following lines, or an empty value.
    let lineEnd = this.lineBreak(q);
    if (c === HASH) {
      lineEnd = text.indexOf('\n', q);
      if (lineEnd < 0) lineEnd = this.len;
    }
    this.scanGap(lineEnd + 1, -1);
    const next = this.nextCol;
    if (next >= 0 && this.nextIndent > indent) {
      if (this.isSeqIndicator(next)) return this.blockSeq(this.nextIndent, next, depth + 1);
      if (this.keyColon(next) < 0) bail();
      return this.blockMap(this.nextIndent, next, depth + 1);
    }
    if (next >= 0 && this.nextIndent === indent && this.isSeqIndicator(next)) return this.blockSeq(indent, next, depth + 1);
    // The yaml parser gives an empty value the blank and comment lines after it as separator
    // tokens; with a comment among them its range[2] reaches the next token. (When the next line is
    // another key of this mapping it cuts them short, but then this value is not the last one and
    // its range[2] is never used.)
    this.trail = c === HASH || this.gapHasComment ? this.nextTokenStart : q;
    this.pendComment = false;
    return { kind: 'scalar', value: null, start: q, end: q };
  }

  /** A value that starts on the current line at `q`: block scalar, flow collection or scalar. */
  private inlineValue(indent: number, q: number, depth: number): YNode {
    const c = this.text.charCodeAt(q);
    if (c === 124 /* | */ || c === 62 /* > */) return this.blockScalar(indent, q);
    let node: YNode;
    if (c === 91 /* [ */ || c === 123 /* { */) node = this.flowCollection(q, depth + 1);
    else if (c === SQUOTE || c === DQUOTE) node = this.quoted(q);
    else node = this.plain(q, false);
    this.endLine(this.cur, indent);
    return node;
  }

  // ---- keys -----------------------------------------------------------------------------------

  /** Offset of the `:` ending an implicit key that starts at `p`, or -1 if the line holds no key there. */
  private keyColon(p: number): number {
    const text = this.text;
    const c = text.charCodeAt(p);
    if (c === 91 || c === 123) return -1; // a flow collection, never a key here
    let q = p;
    if (c === SQUOTE || c === DQUOTE) {
      q = this.quotedEnd(p);
      if (q < 0) return -1;
      q = this.skipSpaces(q);
      return q < this.len && text.charCodeAt(q) === COLON && this.spaceOrEnd(q + 1) ? q : -1;
    }
    for (; q < this.len; q++) {
      const ch = text.charCodeAt(q);
      if (ch === NL || ch === CR) return -1;
      if (ch === COLON && this.spaceOrEnd(q + 1)) return q;
      if (ch === HASH && q > p && text.charCodeAt(q - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** The key at `p`; leaves `cur` just past its colon. */
  private key(p: number): YScalar {
    const colon = this.keyColon(p);
    if (colon < 0) bail();
    const c = this.text.charCodeAt(p);
    let key: YScalar;
    if (c === SQUOTE || c === DQUOTE) key = this.quoted(p);
    else {
      let e = colon;
      while (e > p && this.text.charCodeAt(e - 1) === SPACE) e--;
      if (e === p || e - p > MAX_KEY_LENGTH || !plainStart(this.text, p, e)) bail();
      const source = this.text.slice(p, e);
      if (source === '<<' || /[[\]{},]/.test(source)) bail();
      key = { kind: 'scalar', value: plainValue(source), start: p, end: e };
    }
    this.cur = colon + 1;
    return key;
  }

  private spaceOrEnd(p: number): boolean {
    const c = this.code(p);
    return c === SPACE || c === NL;
  }

  // ---- scalars --------------------------------------------------------------------------------

  /**
   * A plain scalar: in block context it runs to a comment or the end of the line; inside a flow
   * collection to a flow indicator or a colon that ends it, and comments or quotes in it are left to the yaml package.
   */
  private plain(p: number, inFlow: boolean): YScalar {
    const text = this.text;
    let e = p;
    for (let q = p; q < this.len; q++) {
      const ch = text.charCodeAt(q);
      if (ch === NL || ch === CR) {
        if (inFlow) bail();
        break;
      }
      if (inFlow) {
        if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
        // A colon ends it only before a space, a flow indicator or the end (`image: ecr/x:1` is one scalar).
        if (ch === COLON && (this.spaceOrEnd(q + 1) || [44, 91, 93, 123, 125].includes(text.charCodeAt(q + 1)))) break;
        if (ch === HASH || ch === SQUOTE || ch === DQUOTE) bail();
      } else {
        if (ch === HASH && text.charCodeAt(q - 1) === SPACE) break;
        if (ch === COLON && this.spaceOrEnd(q + 1)) bail();
      }
      if (ch !== SPACE) e = q + 1;
    }
    if (!plainStart(text, p, e)) bail();
    this.cur = e;
    return { kind: 'scalar', value: plainValue(text.slice(p, e)), start: p, end: e };
  }

  /** Offset just past the closing quote of a one-line quoted scalar at `p`, or -1. */
  private quotedEnd(p: number): number {
    const text = this.text;
    const quote = text.charCodeAt(p);
    for (let q = p + 1; q < this.len; q++) {
      const ch = text.charCodeAt(q);
      if (ch === NL || ch === CR) return -1;
      if (quote === DQUOTE && ch === 92 /* \ */) q++;
      else if (ch === quote) {
        if (quote === SQUOTE && text.charCodeAt(q + 1) === SQUOTE) q++;
        else return q + 1;
      }
    }
    return -1;
  }

  private quoted(p: number): YScalar {
    const end = this.quotedEnd(p);
    if (end < 0) bail();
    const body = this.text.slice(p + 1, end - 1);
    const value = this.text.charCodeAt(p) === SQUOTE ? body.replace(/''/g, "'") : unescapeDouble(body);
    this.cur = end;
    return { kind: 'scalar', value, start: p, end };
  }

  /** `|`, `|-`, `>` or `>-` followed by lines indented deeper than the collection at `indent`. */
  private blockScalar(indent: number, p: number): YScalar {
    const text = this.text;
    const folded = text.charCodeAt(p) === 62;
    let q = p + 1;
    const strip = text.charCodeAt(q) === DASH;
    if (strip) q++;
    q = this.skipSpaces(q);
    if (q >= this.len || this.code(q) !== NL) bail();
    // Each line without the content indentation; '' for blank lines.
    const lines: string[] = [];
    let contentIndent = -1;
    let end = -1;
    let lineCount = 0;
    let line = this.lineBreak(q) + 1;
    while (line < this.len) {
      const s = this.skipSpaces(line);
      const spaces = s - line;
      const blank = this.code(s) === NL;
      if (contentIndent < 0) {
        if (blank || spaces <= indent) bail();
        contentIndent = spaces;
      }
      if (blank) {
        if (spaces > contentIndent) bail();
        lines.push('');
        if (s >= this.len) break;
        line = this.lineBreak(s) + 1;
        continue;
      }
      if (spaces < contentIndent) {
        if (spaces > indent) bail();
        break;
      }
      if (folded && spaces > contentIndent) bail();
      let e = text.indexOf('\n', s);
      if (e < 0) e = this.len;
      lines.push(text.slice(line + contentIndent, text.charCodeAt(e - 1) === CR ? e - 1 : e));
      lineCount = lines.length;
      end = e < this.len ? e + 1 : this.len;
      line = e + 1;
    }
    if (end < 0) bail();
    lines.length = lineCount;
    let value: string;
    if (folded) {
      value = '';
      let sep = '';
      for (const l of lines) {
        if (l === '') {
          if (sep === '\n') value += '\n';
          else sep = '\n';
        } else {
          value += sep + l;
          sep = ' ';
        }
      }
    } else value = lines.join('\n');
    if (!strip) value += '\n';
    this.trail = end;
    this.scanGap(end, -1);
    return { kind: 'scalar', value, start: p, end };
  }

  // ---- flow collections (one line) ------------------------------------------------------------

  private flowCollection(p: number, depth: number): YMap | YSeq {
    if (depth > MAX_DEPTH) bail();
    const text = this.text;
    const isMap = text.charCodeAt(p) === 123;
    const close = isMap ? 125 : 93;
    let q = this.skipSpaces(p + 1);
    const seqItems: YNode[] = [];
    const mapItems: YPair[] = [];
    const keys = new Set<ScalarValue>();
    if (text.charCodeAt(q) !== close) {
      for (;;) {
        if (isMap) {
          const c = text.charCodeAt(q);
          const key = c === SQUOTE || c === DQUOTE ? this.quoted(q) : this.plain(q, true);
          if (keys.has(key.value)) bail();
          keys.add(key.value);
          q = this.skipSpaces(this.cur);
          if (text.charCodeAt(q) !== COLON || text.charCodeAt(q + 1) !== SPACE) bail();
          const value = this.flowItem(this.skipSpaces(q + 1), depth);
          mapItems.push({ key, value });
        } else seqItems.push(this.flowItem(q, depth));
        q = this.skipSpaces(this.cur);
        const c = text.charCodeAt(q);
        if (c === close) break;
        if (c !== 44 /* , */) bail();
        q = this.skipSpaces(q + 1);
        if (text.charCodeAt(q) === close) bail();
      }
    }
    this.cur = q + 1;
    return isMap
      ? { kind: 'map', items: mapItems, start: p, end: q + 1 }
      : { kind: 'seq', items: seqItems, start: p, end: q + 1 };
  }

  private flowItem(q: number, depth: number): YNode {
    const c = this.text.charCodeAt(q);
    if (c === 91 || c === 123) return this.flowCollection(q, depth + 1);
    if (c === SQUOTE || c === DQUOTE) return this.quoted(q);
    return this.plain(q, true);
  }

  private skipSpaces(p: number): number {
    while (p < this.len && this.text.charCodeAt(p) === SPACE) p++;
    return p;
  }
}

/** Whether [p, e) can be a plain scalar by its first characters (no indicator, nothing empty). */
function plainStart(text: string, p: number, e: number): boolean {
  if (e <= p) return false;
  switch (text.charCodeAt(p)) {
    case DASH: {
      const next = p + 1 < e ? text.charCodeAt(p + 1) : SPACE;
      return next !== SPACE;
    }
    case 63: // ?
    case COLON:
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
    case SPACE:
      return false;
  }
  return true;
}

function unescapeDouble(body: string): string {
  if (body.indexOf('\\') < 0) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === '\\' || next === '"') out += next;
    else if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else bail();
  }
  return out;
}

// The `yaml` package's core schema (node_modules/yaml/dist/schema/core), in the same order.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The typed value of a plain scalar's source text. */
function plainValue(source: string): ScalarValue {
  const c = source.charCodeAt(0);
  // Only these first characters can start a null, bool or number.
  const maybeTyped =
    (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;
  if (!maybeTyped) return source;
  if (NULL.test(source)) return null;
  if (BOOL.test(source)) return c === 116 || c === 84;
  if (INT_OCT.test(source)) return safeInt(parseInt(source.slice(2), 8));
  if (INT.test(source)) return safeInt(parseInt(source, 10));
  if (INT_HEX.test(source)) return safeInt(parseInt(source.slice(2), 16));
  if (FLOAT_NAN.test(source)) return source.slice(-3).toLowerCase() === 'nan' ? NaN : c === 45 ? -Infinity : Infinity;
  if (FLOAT_EXP.test(source) || FLOAT.test(source)) return parseFloat(source);
  return source;
}

function safeInt(n: number): number {
  if (!Number.isSafeInteger(n)) bail();
  return n;
}
