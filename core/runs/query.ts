// The filter and sort language of the experiments panel and `flowbench runs --filter/--sort`:
//
//   metrics.auc > 0.7 and params.learning_rate < 0.01 and status = succeeded
//   not (flow ~ demo or params.model = "gradient boosting")
//   metrics.auc desc, start
//
// Hand-written recursive descent, not a parser generator or an expression library: the grammar is
// four precedence levels over one comparison form, and what the panel needs from the parser is
// exact UTF-16 ranges for every problem plus a did-you-mean for column names. The expression
// libraries we looked at (filtrex, jsep + evaluators) compile with `new Function`, which the
// webview's CSP forbids (this module runs in the webview too), and a peggy grammar would add a build
// step and a generated module several times the size of this file for the same error positions.
// A 400-condition, 12,000-character filter parses in 1.5-3 ms here (on a loaded 2-core machine).
//
// Semantics (docs/cli.md#filters): `!=` is exactly `not =`; a run without the column's value matches
// only `= null` (and so `!= <value>`); `<`, `<=`, `>`, `>=` compare numbers with numbers and strings
// with strings, nothing else; `~` is a case-insensitive substring test on the value as text; `NaN`
// equals NaN. `start` takes ISO dates (a date alone is UTC midnight), `duration` takes 250ms, 90s,
// 5m, 1.5h, 2d or milliseconds, `starred` takes true/false.
import { closest } from '../flow/suggest';

export interface QueryProblem {
  message: string;
  /** UTF-16 offsets in the text, end exclusive. */
  start: number;
  end: number;
}

export interface Filter {
  readonly text: string;
}

export interface SortKey {
  column: string;
  descending: boolean;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

/** A value as written: `null`, a number (its text kept, for matching string cells), or text. */
export type Literal = { kind: 'null' } | { kind: 'number'; value: number; text: string } | { kind: 'string'; text: string };

export type FilterNode =
  | { type: 'and' | 'or'; operands: FilterNode[] }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; column: string; op: CompareOp; value: Literal };

/** Columns every run has, in the order the panel shows them. */
export const INFO_COLUMNS = ['id', 'flow', 'status', 'start', 'duration', 'code', 'overrides', 'starred', 'sweep', 'source'] as const;
const INFO = new Set<string>(INFO_COLUMNS);

class CompiledFilter implements Filter {
  constructor(
    readonly text: string,
    readonly root: FilterNode,
  ) {}
}

/** The syntax tree of a filter from parseFilter; for the table that evaluates it. */
export function filterTree(filter: Filter): FilterNode {
  // A filter that crossed a message boundary (postMessage) is a plain object: send the text and parse it there.
  if (!(filter instanceof CompiledFilter)) throw new TypeError(`not a filter made by parseFilter in this process: parse '${filter?.text}' here`);
  return filter.root;
}

/** Never throws; `filter` is set only when there are no problems and the text is not blank. */
export function parseFilter(text: string, columns?: ReadonlySet<string>): { filter?: Filter; problems: QueryProblem[] } {
  const parser = new Parser(text, columns);
  const root = parser.filter();
  return { filter: root && parser.problems.length === 0 ? new CompiledFilter(text, root) : undefined, problems: parser.problems };
}

/** `metrics.auc desc, start`: comma-separated columns, each optionally `asc` or `desc`. Never throws. */
export function parseSort(text: string, columns?: ReadonlySet<string>): { keys: SortKey[]; problems: QueryProblem[] } {
  return new Parser(text, columns).sort();
}

/** `id, metrics.auc, params.lr`: the columns to show, in order. Never throws. */
export function parseColumns(text: string, columns?: ReadonlySet<string>): { columns: string[]; problems: QueryProblem[] } {
  const { keys, problems } = new Parser(text, columns).sort(false);
  return { columns: keys.map((k) => k.column), problems };
}

/** A value or column name as filter text, quoted when it would not read back as one bare word. */
export function quote(text: string): string {
  return text !== '' && text !== 'null' && !/[\s()=!<>~,"'\\]/.test(text) && !KEYWORDS.has(text.toLowerCase()) ? text : JSON.stringify(text);
}

type TokenKind = 'word' | 'string' | 'op' | '(' | ')' | ',' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'asc', 'desc']);
const OPERATORS = ['!=', '<=', '>=', '==', '!~', '=', '<', '>', '~'];
const OPERATOR_START = new Set(OPERATORS.map((o) => o[0]));
const SPACE = /\s+/y;
const WORD = /[^\s()=!<>~,"']+/y;
const NUMBER = /^[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|NaN|Infinity)$/i;
const DURATION = /^(\d+\.?\d*|\.\d+)(ms|s|m|h|d)$/;
const MAX_DEPTH = 64;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

class Parser {
  readonly problems: QueryProblem[] = [];
  private tokens: Token[] = [];
  private pos = 0;
  /** Set by the first syntax error: what follows cannot be trusted to mean anything. */
  private failed = false;

  constructor(
    private readonly text: string,
    private readonly columns?: ReadonlySet<string>,
  ) {
    this.tokenize();
  }

  filter(): FilterNode | undefined {
    if (this.failed || this.peek().kind === 'end') return undefined;
    const node = this.or(0);
    if (!this.failed && this.peek().kind !== 'end') {
      const t = this.peek();
      this.fail(t, t.kind === ')' ? `unmatched ')'` : `unexpected '${t.text}' after a complete condition; join conditions with 'and' or 'or'`);
    }
    return this.failed ? undefined : node;
  }

  /** A comma-separated column list; with `directions`, each column may be followed by asc or desc. */
  sort(directions = true): { keys: SortKey[]; problems: QueryProblem[] } {
    const keys: SortKey[] = [];
    const seen = new Set<string>();
    while (!this.failed && this.peek().kind !== 'end') {
      const t = this.peek();
      if (t.kind !== 'word' && t.kind !== 'string') {
        this.fail(t, `expected a column${directions ? ' to sort by' : ''}, found '${t.text}'`);
        break;
      }
      this.pos++;
      const column = this.column(t);
      let descending = false;
      const dir = this.peek();
      if (directions && dir.kind === 'word' && /^(asc|desc)$/i.test(dir.text)) {
        descending = dir.text.toLowerCase() === 'desc';
        this.pos++;
      }
      if (column !== undefined) {
        if (seen.has(column)) this.problem(t, `'${column}' is already ${directions ? 'a sort key' : 'listed'}`);
        seen.add(column);
        keys.push({ column, descending });
      }
      const next = this.peek();
      if (next.kind === ',') this.pos++;
      else if (next.kind !== 'end') this.fail(next, `expected ',' or the end after '${this.text.slice(t.start, this.tokens[this.pos - 1].end)}', found '${next.text}'`);
      else break;
      if (this.peek().kind === 'end') this.fail(this.peek(), `expected a column after ','`);
    }
    return { keys: this.problems.length ? [] : keys, problems: this.problems };
  }

  // and/or chains are lists, not left-deep trees, so a filter of many conditions costs no stack depth.
  private or(depth: number): FilterNode | undefined {
    return this.chain('or', () => this.and(depth));
  }

  private and(depth: number): FilterNode | undefined {
    return this.chain('and', () => this.not(depth));
  }

  private chain(type: 'and' | 'or', operand: () => FilterNode | undefined): FilterNode | undefined {
    const first = operand();
    if (this.failed || !this.isKeyword(type)) return first;
    const operands = [first!];
    while (!this.failed && this.isKeyword(type)) {
      this.pos++;
      const next = operand();
      if (!next) return undefined;
      operands.push(next);
    }
    return { type, operands };
  }

  private not(depth: number): FilterNode | undefined {
    if (this.isKeyword('not')) {
      if (depth >= MAX_DEPTH) return this.fail(this.peek(), `more than ${MAX_DEPTH} nested 'not' and '(' here`);
      this.pos++;
      const operand = this.not(depth + 1);
      return operand && { type: 'not', operand };
    }
    return this.primary(depth);
  }

  private primary(depth: number): FilterNode | undefined {
    const t = this.peek();
    if (t.kind === '(') {
      if (depth >= MAX_DEPTH) return this.fail(t, `more than ${MAX_DEPTH} nested 'not' and '(' here`);
      this.pos++;
      const inner = this.or(depth + 1);
      if (this.failed) return undefined;
      const close = this.peek();
      if (close.kind !== ')') {
        this.fail({ ...t, end: close.kind === 'end' ? this.text.length : close.start }, `'(' is never closed`);
        return undefined;
      }
      this.pos++;
      return inner;
    }
    if (t.kind === 'end') return this.fail(t, this.pos === 0 ? 'expected a condition' : `expected a condition after '${this.tokens[this.pos - 1].text}'`);
    if ((t.kind !== 'word' && t.kind !== 'string') || (t.kind === 'word' && KEYWORDS.has(t.text.toLowerCase()))) {
      return this.fail(t, `expected a column like metrics.auc, found '${t.text}'`);
    }
    this.pos++;
    const column = this.column(t);
    const opToken = this.peek();
    if (opToken.kind !== 'op') {
      return this.fail(opToken.kind === 'end' ? { ...opToken, start: t.end, end: t.end } : opToken, `expected an operator (=, !=, <, <=, >, >=, ~, !~) after '${t.text}'`);
    }
    this.pos++;
    const op = (opToken.text === '==' ? '=' : opToken.text) as CompareOp;
    const v = this.peek();
    if ((v.kind !== 'word' && v.kind !== 'string') || (v.kind === 'word' && KEYWORDS.has(v.text.toLowerCase()))) {
      return this.fail(v.kind === 'end' ? { ...v, start: opToken.end, end: opToken.end } : v, `expected a value after '${opToken.text}'${v.kind === 'word' ? ` (quote it to mean the word: "${v.text}")` : ''}`);
    }
    this.pos++;
    const value = this.literal(v, column, op);
    // After a problem with the column or value the node only keeps parsing going: no filter is made.
    return { type: 'compare', column: column ?? t.text, op, value: value ?? { kind: 'null' } };
  }

  /** The literal as the column means it: dates for `start`, durations for `duration`. */
  private literal(t: Token, column: string | undefined, op: CompareOp): Literal | undefined {
    if (t.kind === 'word' && t.text === 'null') {
      if (op === '=' || op === '!=') return { kind: 'null' };
      this.problem(t, `null can only be compared with = or !=`);
      return undefined;
    }
    const text = t.text;
    const number = t.kind === 'word' && NUMBER.test(text) ? Number(text) : undefined;
    if (op === '~' || op === '!~') return { kind: 'string', text };
    if (column === 'start' && number === undefined) {
      const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
      if (Number.isNaN(time)) {
        this.problem(t, `expected a date like 2026-11-24 or 2026-11-24T09:30, or milliseconds since 1970, found '${text}'`);
        return undefined;
      }
      return { kind: 'number', value: time, text };
    }
    if (column === 'duration' && number === undefined) {
      const m = DURATION.exec(text);
      if (!m) {
        this.problem(t, `expected a duration like 250ms, 90s, 5m, 1.5h or 2d, found '${text}'`);
        return undefined;
      }
      return { kind: 'number', value: Number(m[1]) * DURATION_MS[m[2]], text };
    }
    if (column === 'starred' && !/^(true|false)$/.test(text)) {
      this.problem(t, `starred is true or false, found '${text}'`);
      return undefined;
    }
    return number !== undefined ? { kind: 'number', value: number, text } : { kind: 'string', text };
  }

  /** The column a token names, or undefined after recording why it names none. */
  private column(t: Token): string | undefined {
    const name = t.text;
    const known = this.columns ? this.columns.has(name) || INFO.has(name) : INFO.has(name) || /^(params|metrics)\../.test(name);
    if (known) return name;
    const candidates = this.columns ? [...INFO, ...this.columns] : [...INFO];
    const grouped = ['metrics.', 'params.'].map((g) => g + name).filter((k) => this.columns?.has(k));
    const guess = grouped.length ? grouped.join("' or '") : closest(name, candidates);
    const hint = guess
      ? `; did you mean '${guess}'?`
      : /^(params|metrics)\./.test(name) || !this.columns
        ? ''
        : '; columns are params.<name>, metrics.<name> or one of ' + INFO_COLUMNS.join(', ');
    this.problem(t, `unknown column '${name}'${hint}`);
    return undefined;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private problem(at: { start: number; end: number }, message: string): void {
    this.problems.push({ message, start: at.start, end: Math.max(at.end, at.start) });
  }

  private fail(at: { start: number; end: number }, message: string): undefined {
    if (!this.failed) this.problem(at, message);
    this.failed = true;
    return undefined;
  }

  private tokenize(): void {
    const s = this.text;
    let i = 0;
    while (i < s.length) {
      SPACE.lastIndex = i;
      if (SPACE.test(s)) {
        i = SPACE.lastIndex;
        continue;
      }
      const c = s[i];
      const start = i;
      if (c === '(' || c === ')' || c === ',') {
        this.tokens.push({ kind: c, text: c, start, end: ++i });
        continue;
      }
      const op = OPERATOR_START.has(c) ? OPERATORS.find((o) => s.startsWith(o, i)) : undefined;
      if (op) {
        i += op.length;
        this.tokens.push({ kind: 'op', text: op, start, end: i });
        continue;
      }
      if (c === '!') {
        this.fail({ start, end: start + 1 }, `'!' on its own is not an operator; use != or not`);
        break;
      }
      if (c === '"' || c === "'") {
        let value = '';
        i++;
        while (i < s.length && s[i] !== c) {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i++];
        }
        if (i >= s.length) {
          this.fail({ start, end: s.length }, `string starting here is never closed with ${c}`);
          break;
        }
        this.tokens.push({ kind: 'string', text: value, start, end: ++i });
        continue;
      }
      WORD.lastIndex = i;
      WORD.test(s);
      i = WORD.lastIndex;
      this.tokens.push({ kind: 'word', text: s.slice(start, i), start, end: i });
    }
    this.tokens.push({ kind: 'end', text: 'the end', start: s.length, end: s.length });
  }
}
