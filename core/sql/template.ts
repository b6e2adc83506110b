// dbt-style templates in SQL step files: `{{ ref('step') }}`, `{{ source('src', 'table') }}`,
// `{{ params.name }}` and `{# comments #}`. Scanning never fails; it reports problems with offsets
// so the validator and the language server can point at them.

export interface OffsetSpan {
  start: number;
  end: number;
}

export interface TemplateCall {
  /** `ref`, `source`, `param` (for `{{ params.x }}`), or whatever other name was written. */
  fn: string;
  args: string[];
  /** Offsets of each argument's text, without quotes. */
  argRanges: OffsetSpan[];
  /** Offsets of the whole `{{ ... }}` span. */
  start: number;
  end: number;
}

export interface TemplateProblem extends OffsetSpan {
  message: string;
}

export interface TemplateScan {
  calls: TemplateCall[];
  /** Every template span (`{{ }}`, `{% %}`, `{# #}`), in order. */
  spans: (OffsetSpan & { kind: 'expression' | 'statement' | 'comment' })[];
  problems: TemplateProblem[];
}

const OPENERS: Record<string, { close: string; kind: 'expression' | 'statement' | 'comment' }> = {
  '{{': { close: '}}', kind: 'expression' },
  '{%': { close: '%}', kind: 'statement' },
  '{#': { close: '#}', kind: 'comment' },
};

export const KNOWN_FUNCTIONS: Record<string, number> = { ref: 1, source: 2 };

export function scanTemplate(sql: string): TemplateScan {
  const scan: TemplateScan = { calls: [], spans: [], problems: [] };
  let i = 0;
  while (i < sql.length) {
    const open = sql.indexOf('{', i);
    if (open < 0 || open + 1 >= sql.length) break;
    const opener = OPENERS[sql.slice(open, open + 2)];
    if (!opener) {
      i = open + 1;
      continue;
    }
    const closeAt = sql.indexOf(opener.close, open + 2);
    if (closeAt < 0) {
      scan.problems.push({ start: open, end: Math.min(sql.length, open + 2), message: `Unclosed '${sql.slice(open, open + 2)}': add '${opener.close}'.` });
      scan.spans.push({ start: open, end: sql.length, kind: opener.kind });
      break;
    }
    const end = closeAt + 2;
    scan.spans.push({ start: open, end, kind: opener.kind });
    if (opener.kind === 'statement') {
      scan.problems.push({ start: open, end, message: 'Template statements ({% ... %}) are not supported; use ref(), source() or params inside {{ ... }}.' });
    } else if (opener.kind === 'expression') {
      parseExpression(sql, open + 2, closeAt, open, end, scan);
    }
    i = end;
  }
  return scan;
}

function parseExpression(sql: string, from: number, to: number, start: number, end: number, scan: TemplateScan): void {
  const body = sql.slice(from, to);
  const lead = body.length - body.trimStart().length;
  const trimmed = body.trim();
  const at = from + lead;
  const member = /^params\.([A-Za-z_][\w.-]*)$/.exec(trimmed);
  if (member) {
    const nameStart = at + 'params.'.length;
    scan.calls.push({ fn: 'param', args: [member[1]!], argRanges: [{ start: nameStart, end: nameStart + member[1]!.length }], start, end });
    return;
  }
  const call = /^([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(trimmed);
  if (!call) {
    scan.problems.push({ start, end, message: "Expected a call such as ref('step'), source('src', 'table') or params.name inside {{ ... }}." });
    return;
  }
  const fn = call[1]!;
  const argsText = call[2]!;
  const argsOffset = at + trimmed.indexOf('(') + 1;
  const args: string[] = [];
  const argRanges: OffsetSpan[] = [];
  const argPattern = /\s*(?:'([^']*)'|"([^"]*)"|([^,]*?))\s*(,|$)/y;
  let pos = 0;
  while (pos < argsText.length) {
    argPattern.lastIndex = pos;
    const m = argPattern.exec(argsText);
    if (!m || m[0].length === 0) break;
    const quoted = m[1] ?? m[2];
    if (quoted === undefined) {
      const raw = m[3] ?? '';
      if (raw.trim() !== '') {
        const s = argsOffset + pos + m[0].indexOf(raw);
        scan.problems.push({ start: s, end: s + raw.length, message: `Arguments of ${fn}() must be quoted strings, e.g. ${fn}('name').` });
      }
    } else {
      const s = argsOffset + pos + m[0].search(/['"]/) + 1;
      args.push(quoted);
      argRanges.push({ start: s, end: s + quoted.length });
    }
    pos += m[0].length;
  }
  scan.calls.push({ fn, args, argRanges, start, end });
  const arity = KNOWN_FUNCTIONS[fn];
  if (arity === undefined) {
    scan.problems.push({ start, end, message: `Unknown template function '${fn}': use ref('step') or source('src', 'table').` });
  } else if (args.length !== arity) {
    const usage = fn === 'ref' ? "ref('step')" : "source('source', 'table')";
    scan.problems.push({ start, end, message: `${fn}() takes ${arity} argument${arity > 1 ? 's' : ''}, got ${args.length}: write ${usage}.` });
  }
}

/** Replaces every `{{ ... }}` span by what `resolve` returns; comments vanish, statements stay as written. */
export function renderTemplate(sql: string, resolve: (call: TemplateCall) => string, scan: TemplateScan = scanTemplate(sql)): string {
  let out = '';
  let at = 0;
  const callAt = new Map(scan.calls.map((c) => [c.start, c]));
  for (const span of scan.spans) {
    out += sql.slice(at, span.start);
    const call = callAt.get(span.start);
    if (call) out += resolve(call);
    else if (span.kind !== 'comment') out += sql.slice(span.start, span.end);
    at = span.end;
  }
  return out + sql.slice(at);
}

/**
 * Same length as the input with every template span blanked out, so a SQL parser's offsets map
 * one to one onto the file. Expressions become an identifier of equal length (valid wherever a
 * table or a value may stand); statements and comments become spaces. Line breaks are kept.
 */
export function maskTemplate(sql: string, scan: TemplateScan = scanTemplate(sql)): string {
  let out = '';
  let at = 0;
  for (const span of scan.spans) {
    out += sql.slice(at, span.start);
    const text = sql.slice(span.start, span.end);
    if (span.kind === 'expression' && !/[\r\n]/.test(text)) out += '_'.repeat(text.length);
    else out += text.replace(/[^\r\n]/g, ' ');
    at = span.end;
  }
  return out + sql.slice(at);
}
