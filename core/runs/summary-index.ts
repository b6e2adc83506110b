// runs/index.jsonl: one RunSummary per line, appended when a run starts, ends or is found
// interrupted; the last line for an id wins. Listing reads this one file instead of opening every
// run's record. It is only a cache of the records: the store rebuilds missing entries from them.
import { appendFileSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import type { RunSummary } from './types';

export interface IndexContents {
  summaries: Map<string, RunSummary>;
  /** Lines read, including superseded and unreadable ones: tells when compaction pays. */
  lines: number;
  corrupt: number;
}

export function readIndex(file: string): IndexContents {
  const summaries = new Map<string, RunSummary>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { summaries, lines: 0, corrupt: 0 };
  }
  let lines = 0;
  let corrupt = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    lines++;
    try {
      const summary = JSON.parse(line) as RunSummary;
      if (typeof summary.id !== 'string' || typeof summary.start !== 'number') throw new Error('not a summary');
      summaries.set(summary.id, summary);
    } catch {
      corrupt++;
    }
  }
  return { summaries, lines, corrupt };
}

/**
 * Each append starts with a newline so a line torn by a killed writer can never swallow the next
 * one; one write() call with O_APPEND keeps concurrent appenders from interleaving on local disks.
 */
export function appendSummaries(file: string, summaries: RunSummary[]): void {
  if (summaries.length === 0) return;
  appendFileSync(file, summaries.map((s) => '\n' + JSON.stringify(s)).join('') + '\n');
}

export function rewriteIndex(file: string, summaries: Iterable<RunSummary>): void {
  let text = '';
  for (const s of summaries) text += JSON.stringify(s) + '\n';
  writeFileAtomic(file, text, true);
}
