// Where the cursor stands in a flow file, found from indentation alone. The YAML parser cannot help here:
// while the user types, the document is usually broken, yet completion must still know the enclosing keys.

export interface YamlContext {
  /** Keys of the mappings enclosing the cursor, outermost first. */
  path: string[];
  /** `key`: a mapping key is being typed; `value`: the value of `key` (a scalar or a list item). */
  kind: 'key' | 'value';
  key?: string;
  /** The partial word before the cursor and where it starts (offset into the text). */
  prefix: string;
  prefixStart: number;
}

/** Upward scans stop here so a cursor deep in a huge file still answers instantly. */
const MAX_SCAN_LINES = 5000;

const KEY_LINE = /^(\s*)(?:-\s+)?(["']?)([^\s:#"'][^:#"']*?)\2\s*:(?:\s|$)/;

export function yamlContextAt(text: string, offset: number): YamlContext | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  if (before.includes('#')) return undefined;

  const asKey = /^(\s*)([A-Za-z0-9_.-]*)$/.exec(before);
  if (asKey) {
    const indent = asKey[1]!.length;
    return { path: parentPath(text, lineStart, indent, false), kind: 'key', prefix: asKey[2]!, prefixStart: offset - asKey[2]!.length };
  }
  const listItem = /^(\s*)-\s+(["']?)([^"',\[\]]*)$/.exec(before);
  if (listItem) {
    const path = parentPath(text, lineStart, listItem[1]!.length, true);
    const key = path.pop();
    return { path, kind: 'value', key, prefix: listItem[3]!, prefixStart: offset - listItem[3]!.length };
  }
  const keyValue = /^(\s*)(?:-\s+)?([^\s:#"'][^:#"']*?)\s*:\s+(.*)$/.exec(before);
  if (keyValue) {
    const value = keyValue[3]!;
    // In a flow sequence `[a, b, c` only the last element is being typed.
    const inList = value.startsWith('[') ? value.slice(Math.max(value.lastIndexOf(','), value.lastIndexOf('[')) + 1) : value;
    const prefix = inList.replace(/^\s*["']?/, '');
    const path = parentPath(text, lineStart, keyValue[1]!.length, false);
    return { path, kind: 'value', key: keyValue[2]!, prefix, prefixStart: offset - prefix.length };
  }
  return undefined;
}

/**
 * Keys of the lines above that enclose a line indented by `indent`. A list item may sit at the same
 * indentation as its key (`deps:` then `- x`), so for list items an equal indent also encloses.
 */
function parentPath(text: string, lineStart: number, indent: number, listItem: boolean): string[] {
  const path: string[] = [];
  let limit = indent;
  let inclusive = listItem;
  let end = lineStart - 1;
  for (let scanned = 0; end > 0 && limit > 0 && scanned < MAX_SCAN_LINES; scanned++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const lineIndent = line.length - line.trimStart().length;
    if (lineIndent > limit || (lineIndent === limit && !inclusive)) continue;
    const key = KEY_LINE.exec(line);
    if (!key) continue;
    // A key inside a list item (`- name: x`) is indented past its dash.
    const keyIndent = /^\s*-\s+/.test(line) ? line.indexOf(key[3]!) : lineIndent;
    if (keyIndent > limit || (keyIndent === limit && !inclusive)) continue;
    path.unshift(key[3]!);
    limit = lineIndent;
    inclusive = false;
  }
  return path;
}
