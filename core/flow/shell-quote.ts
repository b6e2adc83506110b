// Quoting values for `/bin/sh -c`: POSIX single quotes, chosen by where in the command the value lands.
//
// Hand-written rather than the `shell-quote` package: its quote() picks among three quoting styles and
// knows nothing about the text around the value (it had a command-injection bug in that logic,
// CVE-2021-42740), while here the whole quoting rule is one replace; the work is knowing whether
// `${params.x}` stands bare, inside '…' or inside "…", which no library answers.
//
// Contexts the scanner models: bare words, '…', "…" (backslash escapes), `$( … )` and `${ … }` nested
// in either (each with its own quotes), and `#` comments. It refuses the places where no quoting is safe:
// backquotes (backslashes and backquotes in the value would be reinterpreted), here-document bodies (a
// line equal to the delimiter would end the document), and right after a backslash (which would escape
// the opening quote) or as a here-document marker.

export type ShellContext = 'bare' | 'single' | 'double' | 'comment' | 'backquote' | 'heredoc' | 'escaped';

/** One POSIX shell word that reads back as exactly `value`. */
export function quoteWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `words` as they must be written at a place in `context` so that the shell reads them back unchanged:
 * separate words when bare, one string (items joined by spaces) inside quotes. Undefined where no quoting
 * is safe; a comment keeps `original`, since the shell never reads it.
 */
export function quoteAt(context: ShellContext, words: string[], original: string): string | undefined {
  switch (context) {
    case 'bare': return words.map(quoteWord).join(' ');
    case 'single': return words.join(' ').replace(/'/g, `'\\''`);
    case 'double': return `"${quoteWord(words.join(' '))}"`;
    case 'comment': return original;
    default: return undefined;
  }
}

interface Frame {
  /** What closes this frame: end of text, `)` of `$(`, `}` of `${`, a backquote. */
  kind: 'top' | 'paren' | 'brace' | 'backquote';
  quote: 'none' | 'single' | 'double';
  depth: number;
}

/**
 * The context at each of `spans` (sorted, non-overlapping `[start, end)` offsets of placeholders, which
 * the scan skips over as opaque text).
 */
export function shellContexts(text: string, spans: { start: number; end: number }[]): ShellContext[] {
  const contexts: ShellContext[] = [];
  const stack: Frame[] = [{ kind: 'top', quote: 'none', depth: 0 }];
  const heredocs: { delimiter: string; strip: boolean }[] = [];
  let inComment = false;
  let inHeredoc = false;
  let next = 0;
  const top = () => stack[stack.length - 1]!;
  for (let i = 0; i < text.length; ) {
    const span = spans[next];
    if (span && i >= span.start) {
      const frame = top();
      contexts.push(
        // A backslash or a here-document marker stepped into the placeholder: the value would be glued to it.
        i > span.start ? 'escaped'
        : inComment ? 'comment'
        : inHeredoc ? 'heredoc'
        : stack.some((f) => f.kind === 'backquote') ? 'backquote'
        : frame.quote === 'single' ? 'single'
        : frame.quote === 'double' ? 'double'
        : 'bare',
      );
      i = Math.max(i, span.end);
      next++;
      continue;
    }
    const c = text[i]!;
    if (inComment) {
      if (c === '\n') inComment = false;
      else {
        i++;
        continue;
      }
    }
    if (inHeredoc) {
      // The body runs line by line until a line that is the delimiter.
      const lineEnd = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
      const doc = heredocs[0]!;
      const line = text.slice(i, lineEnd);
      const spanInLine = span && span.start < lineEnd;
      if (!spanInLine && (doc.strip ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
        heredocs.shift();
        inHeredoc = heredocs.length > 0;
      }
      if (spanInLine) {
        i = span.start;
        continue;
      }
      i = lineEnd + 1;
      continue;
    }
    const frame = top();
    if (frame.quote === 'single') {
      if (c === "'") frame.quote = 'none';
      i++;
      continue;
    }
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (frame.quote === 'double') {
      if (c === '"') frame.quote = 'none';
      else if (c === '`') openBackquote(stack);
      else if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
        stack.push({ kind: text[i + 1] === '(' ? 'paren' : 'brace', quote: 'none', depth: 1 });
        i++;
      }
      i++;
      continue;
    }
    // Unquoted text.
    if (c === "'") frame.quote = 'single';
    else if (c === '"') frame.quote = 'double';
    else if (c === '`') openBackquote(stack);
    else if (c === '#' && (i === 0 || /[\s;&|()]/.test(text[i - 1]!))) inComment = true;
    else if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      stack.push({ kind: text[i + 1] === '(' ? 'paren' : 'brace', quote: 'none', depth: 1 });
      i++;
    } else if (c === '(' && frame.kind === 'paren') frame.depth++;
    else if ((c === ')' && frame.kind === 'paren') || (c === '}' && frame.kind === 'brace')) {
      if (--frame.depth === 0) stack.pop();
    } else if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*(['"]?)([^\s'"<>;&|()]+)\2/.exec(text.slice(i));
      if (m) {
        heredocs.push({ delimiter: m[3]!, strip: m[1] === '-' });
        i += m[0].length;
        continue;
      }
    } else if (c === '\n' && heredocs.length) {
      inHeredoc = true;
    }
    i++;
  }
  // A here-document marker can swallow the text up to its end, placeholders included.
  while (contexts.length < spans.length) contexts.push('escaped');
  return contexts;
}

function openBackquote(stack: Frame[]): void {
  // A backquote closes the open one (nesting needs escaping, which the value never gets).
  const inner = stack.findIndex((f) => f.kind === 'backquote');
  if (inner >= 0) stack.length = inner;
  else stack.push({ kind: 'backquote', quote: 'none', depth: 0 });
}
