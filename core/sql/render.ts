// Renders a SQL step's template and keeps the way back: the warehouse reports positions in the
// rendered text, where every `{{ ... }}` span has become a relation name or literal of another
// length, and users need them in the file they wrote.
import { renderTemplate, type TemplateCall, type TemplateScan } from './template';

export interface RenderedSql {
  text: string;
  /** Offset in the SQL file of a rendered offset; inside a replaced span, the start of that span. */
  sourceOffset(renderedOffset: number): number;
}

interface Replacement {
  sourceStart: number;
  sourceEnd: number;
  renderedStart: number;
  renderedEnd: number;
}

export function renderSql(text: string, scan: TemplateScan, resolve: (call: TemplateCall) => string): RenderedSql {
  const lengths = new Map<number, number>();
  const rendered = renderTemplate(
    text,
    (call) => {
      const out = resolve(call);
      lengths.set(call.start, out.length);
      return out;
    },
    scan,
  );
  const replacements: Replacement[] = [];
  let shift = 0;
  for (const span of scan.spans) {
    // renderTemplate drops comments and leaves spans without a call as written
    const length = lengths.get(span.start) ?? (span.kind === 'comment' ? 0 : span.end - span.start);
    const renderedStart = span.start + shift;
    replacements.push({ sourceStart: span.start, sourceEnd: span.end, renderedStart, renderedEnd: renderedStart + length });
    shift += length - (span.end - span.start);
  }
  return {
    text: rendered,
    sourceOffset(offset) {
      let lo = 0;
      let hi = replacements.length - 1;
      let before: Replacement | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (replacements[mid]!.renderedStart <= offset) {
          before = replacements[mid];
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (!before) return offset;
      if (offset < before.renderedEnd) return before.sourceStart;
      return before.sourceEnd + (offset - before.renderedEnd);
    },
  };
}
