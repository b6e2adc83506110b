// A run's metrics.jsonl (one JSON line per metric point, every metric interleaved) read for the compare view,
// which asks for the names first and then one metric at a time. Parsing every line was the whole cost of
// its first chart: 100 runs × 5 histories × 1,000 points (51 MB) took ~750 ms of the extension host's main
// thread, 9.5 s at 10,000 points, though a chart shows one of the five. Here the names come from a scan of
// the text (~140 ms for those 51 MB), and a metric's points from parsing only the lines that name it, found
// with indexOf. The scan trusts what the recorder writes (JSON.stringify: a name with a quote or backslash
// is escaped); a file holding any backslash is parsed whole instead, so the answers equal groupHistories
// over every line, as RunStore.get reads it. One difference is left: a whole line (ending in `}`) naming its
// step and metric that is still not JSON (a hand edit) lists its key, with no points.
import { groupHistories, type HistoryLine } from './record';
import type { MetricPoint } from './types';

/** Every line that parses (a line torn by a killed writer is left out: the points before it are good). */
export function parseHistoryLines(text: string): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      lines.push(JSON.parse(line) as HistoryLine);
    } catch {
      // torn
    }
  }
  return lines;
}

/** The keys with at least one point, sorted, named as groupHistories names them. */
export function historyKeysOf(text: string): string[] {
  if (text.includes('\\')) return Object.keys(groupHistories(parseHistoryLines(text))).sort();
  const stepsByName = new Map<string, Set<string>>();
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const names = namesIn(text, at, end);
    if (names) (stepsByName.get(names.name) ?? stepsByName.set(names.name, new Set()).get(names.name)!).add(names.step);
    at = end + 1;
  }
  const keys: string[] = [];
  for (const [name, steps] of stepsByName) {
    if (steps.size === 1) keys.push(name);
    else for (const step of steps) keys.push(`${step}.${name}`);
  }
  return keys.sort();
}

/** The points of `key`, in file order. */
export function historyOf(text: string, key: string): MetricPoint[] {
  if (text.includes('\\')) return groupHistories(parseHistoryLines(text))[key] ?? [];
  // `key` is a name logged by one step, or `step.name` for a name several steps log: try each reading.
  const readings: { name: string; step?: string }[] = [{ name: key }];
  for (let dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) readings.push({ name: key.slice(dot + 1), step: key.slice(0, dot) });
  for (const reading of readings) {
    const lines = linesNaming(text, reading.name);
    const steps = new Set(lines.map((l) => String(l.step)));
    const points = reading.step === undefined ? (steps.size === 1 ? lines : []) : steps.size > 1 ? lines.filter((l) => String(l.step) === reading.step) : [];
    if (points.length > 0) return points.map((l) => ({ index: l.index, value: l.value, time: l.time }));
  }
  return [];
}

/** The lines whose name is `name`: every occurrence of `"name":"<name>"` is one (no backslash: no escapes). */
function linesNaming(text: string, name: string): HistoryLine[] {
  const needle = `"name":${JSON.stringify(name)}`;
  const lines: HistoryLine[] = [];
  for (let at = text.indexOf(needle); at >= 0; ) {
    const start = text.lastIndexOf('\n', at) + 1;
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    try {
      const line = JSON.parse(text.slice(start, end)) as HistoryLine;
      if (line?.name === name) lines.push(line);
    } catch {
      // torn
    }
    at = text.indexOf(needle, end);
  }
  return lines;
}

/** The step and name of the line at [from, to), or undefined when it is torn or not a point. */
function namesIn(text: string, from: number, to: number): { step: string; name: string } | undefined {
  if (to === from) return undefined;
  if (text.charCodeAt(to - 1) === 125 /* } */) {
    const step = stringAfter(text, '"step":"', from, to);
    const name = stringAfter(text, '"name":"', from, to);
    if (step !== undefined && name !== undefined) return { step, name };
  }
  // Not a line as the recorder writes it whole: what JSON.parse makes of it.
  try {
    const line = JSON.parse(text.slice(from, to)) as HistoryLine;
    return line && typeof line === 'object' ? { step: String(line.step), name: String(line.name) } : undefined;
  } catch {
    return undefined;
  }
}

function stringAfter(text: string, label: string, from: number, to: number): string | undefined {
  const at = text.indexOf(label, from);
  if (at < 0 || at >= to) return undefined;
  const end = text.indexOf('"', at + label.length);
  return end < 0 || end >= to ? undefined : text.slice(at + label.length, end);
}
