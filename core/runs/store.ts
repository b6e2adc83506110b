// The run store: every flow run is an experiment record under <flow root>/.flowbench/runs/.
//
//   runs/<id>/record.json    the RunRecord without histories, replaced atomically as the run goes
//   runs/<id>/metrics.jsonl  metric history points, appended (thousands per run are normal)
//   runs/index.jsonl         summaries for listing (see summary-index.ts)
//   runs/stars.jsonl         starred run ids, a journal (see core/engine/journal.ts): the index can be
//                            rebuilt from the records, stars could not, so they live apart from it
//
// Writes are temp-file + rename, so a killed writer leaves the previous record intact; anything
// unreadable found on read is skipped with a warning.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent, RunEventListener } from '../engine/events';
import { Journal } from '../engine/journal';
import { writeFileAtomic } from './atomic';
import { isRunId, randomRunId } from './id';
import { currentWriter, shownStatus, writerState } from './liveness';
import { historyKeysOf, historyOf, parseHistoryLines } from './history-file';
import { applyEvent, groupHistories, interruptRecord, startRecord, summarize } from './record';
import { SummaryIndex } from './summary-index';
import { readTableCache, writeTableCache } from './table-cache';
import { RunTable } from './table';
import type { RunRecord, RunSummary } from './types';

export interface ListOptions {
  limit?: number;
  flow?: string;
  status?: string;
}

/** Where a SummaryReader puts the runs it reads; it keeps none of them itself. */
export interface SummarySink {
  /** A run read, new or replacing what was put for its id before. */
  put(summary: RunSummary): void;
  /** A run put before that is gone (deleted, or left out of a rewritten index with no record behind it). */
  drop(id: string): void;
  /**
   * Many runs at once (a store's first read, or a read after its index was replaced), as a table the sink
   * may take the columns of (RunTable.absorb); each run is new or replaces what was put for its id. A sink
   * with it gets runs from the table cache; one without gets every summary through put.
   */
  putTable?(runs: RunTable): void;
}

export interface SummaryReader {
  /**
   * Puts every run the first time (from the table cache, runs/index.table, where it is valid); after that,
   * only runs written since (and drops runs removed since). Statuses are as a reader shows them
   * (liveness.ts's shownStatus): a run whose writer died reads as interrupted, also when it died later.
   * Yields to the event loop between slices of the index: 100,000 runs take seconds to parse. One read at
   * a time.
   *
   * With `deferCheck`, a read that takes its runs from the table cache leaves the check against the run
   * directories (reconcile: a folder with no index line, an index line whose folder is gone) to the next
   * read, and says so (`unchecked`): at 100,000 runs that check is a listing of 100,000 folders and sets of
   * their ids, ~0.25 s of a 0.7 s reopen, which the panel spends after its first rows instead of before.
   */
  read(options?: { deferCheck?: boolean }): Promise<ReadStats>;
}

/** What a read took its runs from, in bytes of the index. */
export interface ReadStats {
  /** Covered by the table cache. */
  cached: number;
  /** Parsed as JSON lines. */
  parsed: number;
  /** The run directories were not checked (deferCheck): the next read checks them. */
  unchecked?: true;
}

export interface RunStore {
  /** Reserves a fresh run id (its directory is created exclusively, so concurrent runs never collide). */
  newRunId(): string;
  /**
   * Feed it every RunEvent of one run; it writes the record as the run goes. A write that fails goes to
   * `onError` (the runner ends the run over it), or is warned about once.
   */
  recorder(onError?: (message: string) => void): RunEventListener;
  /**
   * A reader for a long-lived holder of runs (the experiments panel's table): what list() reads, handed
   * over one summary at a time instead of kept, so 100,000 runs never sit in memory as objects.
   */
  summaryReader(sink: SummarySink): SummaryReader;
  /** Newest first. */
  list(opts?: ListOptions): Promise<RunSummary[]>;
  /**
   * Accepts a unique id prefix; throws AmbiguousRunIdError when the prefix matches several runs. With
   * `historyKey`, the record's histories hold that key's points only (a chart's read: the others are not parsed).
   */
  get(runId: string, historyKey?: string): Promise<RunRecord | undefined>;
  /** The keys of a run's metric histories (by its full id), sorted, without reading their points. */
  historyKeys(runId: string): Promise<string[]>;
  /** Runs left `running` whose writer process is gone (or whose host restarted) become `interrupted`. */
  markInterrupted(): Promise<string[]>;
  /** Stars or unstars a run by its full id; false when there is no such run. */
  star(runId: string, on: boolean): Promise<boolean>;
  starred(): Promise<Set<string>>;
  /**
   * Deletes a run by its full id: record, histories, step logs and star go, cached outputs stay.
   * False when there is no such run; throws RunInProgressError while its writer may still be running.
   */
  remove(runId: string): Promise<boolean>;
}

export class RunInProgressError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} is still running; stop it first`);
  }
}

export class AmbiguousRunIdError extends Error {
  constructor(
    readonly prefix: string,
    readonly candidates: string[],
  ) {
    super(`run id '${prefix}' is ambiguous: it matches ${candidates.slice(0, 5).join(', ')}${candidates.length > 5 ? ', …' : ''}`);
  }
}

export interface RunStoreOptions {
  /** Where notes about skipped corrupt files go; stderr by default. */
  warn?: (message: string) => void;
  /**
   * fsync final records and index rewrites so they survive a power cut (default true). Bulk writers
   * that can regenerate what they write (imports, benchmarks) turn it off.
   */
  fsync?: boolean;
}

/**
 * Step starts and ends reach the disk within this delay; writes closer together are coalesced so a
 * 1,000-step chain of trivial commands doesn't rewrite its growing record 2,000 times.
 */
const STEP_WRITE_INTERVAL_MS = 50;
/**
 * A record of hundreds of steps costs milliseconds per rewrite (on ext4, a rename over a file also starts
 * its writeback), so the interval stretches to keep rewriting under this share of the run's time: a
 * 1,000-step chain of `true` spent about a tenth of its main thread rewriting its record every 50 ms.
 */
const MAX_WRITE_SHARE = 0.02;
const MAX_STEP_WRITE_INTERVAL_MS = 2000;
/** Metric points arrive by the thousand; they are appended at most this often. */
const METRIC_DEBOUNCE_MS = 500;
/** Index bytes below which a table cache is not worth a file: parsing 64 KB takes about a millisecond. */
const TABLE_CACHE_MIN_BYTES = 64 << 10;

export function openRunStore(stateDir: string, options: RunStoreOptions = {}): RunStore {
  const runsDir = join(stateDir, 'runs');
  const index = new SummaryIndex(join(runsDir, 'index.jsonl'));
  const cacheFile = join(runsDir, 'index.table');
  const warn = options.warn ?? ((message: string) => process.stderr.write(`flowbench: warning: ${message}\n`));
  const fsync = options.fsync ?? true;
  const recordFile = (id: string) => join(runsDir, id, 'record.json');
  const historyFile = (id: string) => join(runsDir, id, 'metrics.jsonl');
  /** Each run's history keys, for as long as its metrics.jsonl keeps its size and mtime. */
  const historyKeyCache = new Map<string, { size: number; mtimeMs: number; keys: string[] }>();
  const stars = new Journal(join(runsDir, 'stars.jsonl'), (_id, on): on is true => on === true);
  const runExists = (id: string) => isRunId(id) && existsSync(join(runsDir, id));

  function readRecord(id: string): RunRecord | undefined {
    let text: string;
    try {
      text = readFileSync(recordFile(id), 'utf8');
    } catch {
      return undefined; // reserved but not started yet, or removed
    }
    try {
      const record = JSON.parse(text) as RunRecord;
      if (record.id !== id || typeof record.start !== 'number' || typeof record.steps !== 'object') throw new Error('missing fields');
      record.histories = {};
      return record;
    } catch (err) {
      warn(`skipping unreadable run record ${recordFile(id)}: ${(err as Error).message}`);
      return undefined;
    }
  }

  function writeRecord(record: RunRecord, durable: boolean): void {
    mkdirSync(join(runsDir, record.id), { recursive: true });
    writeFileAtomic(recordFile(record.id), JSON.stringify({ ...record, histories: undefined }), durable && fsync);
  }

  function historyText(id: string): string | undefined {
    try {
      return readFileSync(historyFile(id), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The whole of a run's histories, or, with `key`, that one (history-file.ts parses only its lines). */
  function readHistories(id: string, key?: string): RunRecord['histories'] {
    const text = historyText(id);
    if (text === undefined) return {};
    if (key === undefined) return groupHistories(parseHistoryLines(text));
    const points = historyOf(text, key);
    return points.length > 0 ? { [key]: points } : {};
  }

  function runIdsOnDisk(): string[] {
    try {
      return readdirSync(runsDir).filter(isRunId);
    } catch {
      return [];
    }
  }

  /** runIdsOnDisk off the event loop (libuv's threads list the folder): for the long-lived reader. */
  async function runIdsOnDiskSoon(): Promise<string[]> {
    try {
      return (await readdir(runsDir)).filter(isRunId);
    } catch {
      return [];
    }
  }

  /**
   * What the index does not say right, found against the run directories: runs with a directory but no
   * entry (rebuilt from their records), entries whose directory is gone, and runs listed as running whose
   * record says they ended (an append lost to a concurrent compaction). Few runs are running at once, so
   * checking their records costs a file or two.
   */
  function reconcile(onDisk: string[], listed: (id: string) => boolean, ids: Iterable<string>, running: Iterable<string>): { rebuilt: RunSummary[]; gone: string[] } {
    const present = new Set(onDisk);
    const rebuilt: RunSummary[] = [];
    for (const id of onDisk) {
      if (listed(id)) continue;
      const record = readRecord(id);
      if (record) rebuilt.push(summarize(record));
    }
    const gone: string[] = [];
    for (const id of ids) if (!present.has(id)) gone.push(id);
    for (const id of running) {
      if (!present.has(id)) continue;
      const record = readRecord(id);
      if (record && record.status !== 'running') rebuilt.push(summarize(record));
    }
    return { rebuilt, gone };
  }

  function warnCorrupt(corrupt: number): void {
    if (corrupt > 0) warn(`skipped ${corrupt} unreadable line(s) in ${index.file}; they are rebuilt from the run records`);
  }

  /**
   * Index contents reconciled with the run directories (see reconcile). Callers get a copy they may keep.
   */
  function loadSummaries(): Map<string, RunSummary> {
    const contents = index.read();
    warnCorrupt(contents.corrupt);
    const summaries = new Map(contents.summaries);
    const running = [...summaries.values()].filter((s) => s.status === 'running').map((s) => s.id);
    const { rebuilt, gone } = reconcile(runIdsOnDisk(), (id) => summaries.has(id), summaries.keys(), running);
    for (const id of gone) summaries.delete(id);
    for (const s of rebuilt) summaries.set(s.id, s);
    const superseded = contents.lines + rebuilt.length - summaries.size;
    if (gone.length > 0 || contents.corrupt > 0 || superseded > Math.max(100, summaries.size / 2)) {
      index.rewrite(summaries, fsync);
    } else {
      index.append(rebuilt);
    }
    return summaries;
  }

  function summaryReader(sink: SummarySink): SummaryReader {
    // Its own view of the index file: where it has read to is this reader's, not list()'s.
    const own = new SummaryIndex(index.file);
    /** The runs the sink holds, and whether the index lists each as running: all the reader keeps per run. */
    let held = new Map<string, boolean>();
    /**
     * The runs of a table cache, held and not running unless `held` says otherwise: they join `held` when a
     * read needs it (holding()), not before the first rows (a Map of 100,000 ids is 20-50 ms of a reopen).
     */
    let cachedIds: string[] | undefined;
    const holding = () => {
      if (cachedIds) for (const id of cachedIds) if (!held.has(id)) held.set(id, false);
      cachedIds = undefined;
      return held;
    };
    /** The latest summary of each run listed as running (few), to show it interrupted once its writer dies. */
    let running = new Map<string, RunSummary>();
    /** The status each of those was last put with. */
    const shown = new Map<string, RunSummary['status']>();
    const shownAs = (s: RunSummary): RunSummary => {
      if (s.status !== 'running') return s;
      const status = shownStatus(s);
      shown.set(s.id, status);
      return status === s.status ? s : { ...s, status };
    };
    return {
      async read({ deferCheck = false } = {}) {
        if (!existsSync(runsDir)) {
          for (const id of holding().keys()) sink.drop(id);
          held = new Map();
          running = new Map();
          shown.clear();
          return { cached: 0, parsed: 0 };
        }
        // A read that puts every run (the first, or one after the index was replaced) fills a table of its
        // own, from the table cache where it can, and hands it over whole, if the sink takes tables; what the
        // sink held before and this read does not bring is dropped.
        let table: RunTable | undefined;
        let previous: Map<string, boolean> | undefined;
        let cached: { covered: number; corrupt: number } | undefined;
        const startOver = () => {
          previous ??= holding();
          held = new Map();
          cachedIds = undefined;
          running = new Map();
          shown.clear();
          table = sink.putTable ? RunTable.fromSummaries([]) : undefined;
          cached = undefined;
        };
        if (own.startsOver()) startOver();
        const from = own.position.offset;
        if (table) {
          const cache = readTableCache(cacheFile, index.file);
          if (typeof cache !== 'string') {
            table = cache.table;
            cached = { covered: cache.covered, corrupt: cache.corrupt };
            own.resume(cache.ino, cache.covered);
            cachedIds = table.ids();
            for (const s of cache.running) {
              held.set(s.id, true);
              running.set(s.id, s);
            }
          }
        }
        const put = (s: RunSummary) => {
          const isRunning = s.status === 'running';
          held.set(s.id, isRunning);
          if (isRunning) running.set(s.id, s);
          else if (running.delete(s.id)) shown.delete(s.id);
          if (table) table.upsert(s);
          else sink.put(shownAs(s));
        };
        const removed = (id: string) => {
          if (!holding().delete(id)) return;
          running.delete(id);
          shown.delete(id);
          if (table) table.remove(id);
          else sink.drop(id);
        };
        const { corrupt } = await own.readInSlices(put, removed, startOver, () => new Promise((resume) => setImmediate(resume)));
        warnCorrupt(corrupt + (cached?.corrupt ?? 0));
        if (table) cacheTable(table, own.position, cached, corrupt, [...running.values()]);
        const check = !(deferCheck && cached);
        let rebuilt: RunSummary[] = [];
        if (check) {
          const onDisk = await runIdsOnDiskSoon();
          const listedRunning: string[] = [];
          const all = holding();
          for (const [id, isRunning] of all) if (isRunning) listedRunning.push(id);
          const found = reconcile(onDisk, (id) => all.has(id), all.keys(), listedRunning);
          for (const id of found.gone) removed(id);
          for (const s of found.rebuilt) put(s);
          rebuilt = found.rebuilt;
        }
        for (const s of running.values()) {
          if (!table) {
            const status = shownStatus(s);
            if (shown.get(s.id) !== status) sink.put(shownAs(s));
          } else {
            const shownNow = shownAs(s);
            if (shownNow !== s) table.upsert(shownNow);
          }
        }
        if (previous?.size) for (const id of previous.keys()) if (!holding().has(id)) sink.drop(id);
        if (table) sink.putTable!(table);
        // As list() does, so the next reader finds them in the index; this reader reads them back as no change.
        index.append(rebuilt);
        const parsedFrom = previous ? (cached?.covered ?? 0) : from;
        return { cached: cached?.covered ?? 0, parsed: own.position.offset - parsedFrom, ...(!check && { unchecked: true as const }) };
      },
    };
  }

  /**
   * Writes the table cache of a reader's table, which holds what the index's lines before `at.offset` say,
   * when parsing them was worth sparing: no cache was used, or the lines parsed on top of it grew past an
   * eighth of what it covers (a store that grows by a run keeps its cache). A cache that cannot be written
   * (a read-only or full disk) only costs the next reader the parse.
   */
  function cacheTable(table: RunTable, at: { ino: number; offset: number }, cached: { covered: number; corrupt: number } | undefined, corrupt: number, runningNow: RunSummary[]): void {
    const parsed = at.offset - (cached?.covered ?? 0);
    if (parsed < TABLE_CACHE_MIN_BYTES || (cached && parsed < cached.covered / 8)) return;
    try {
      writeTableCache(cacheFile, index.file, { ino: at.ino, covered: at.offset, table, running: runningNow, corrupt: corrupt + (cached?.corrupt ?? 0) });
    } catch {
      // the cache is only ever a shortcut
    }
  }

  function recorder(onError?: (message: string) => void): RunEventListener {
    let record: RunRecord | undefined;
    let historyLines: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = 0;
    /** What the last rewrite of the record took, which sets the interval between rewrites. */
    let lastCost = 0;
    let failedOnce = false;

    // A full disk or a vanished folder must not crash the run it is recording.
    const guarded = (what: string, fn: () => void): boolean => {
      try {
        fn();
        return true;
      } catch (err) {
        const message = `could not ${what} of run ${record?.id}: ${(err as Error).message}`;
        if (onError) onError(message);
        else if (!failedOnce) warn(message);
        failedOnce = true;
        return false;
      }
    };

    /** True when the record on disk is now up to date. */
    const flush = (durable = false): boolean => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!record) return false;
      const rec = record;
      if (historyLines.length > 0) {
        const text = historyLines.join('');
        historyLines = [];
        guarded('append to the metric history', () => appendFileSync(historyFile(rec.id), text));
      }
      const started = performance.now();
      const written = guarded('write the record', () => writeRecord(rec, durable));
      lastCost = performance.now() - started;
      lastWrite = Date.now();
      return written;
    };

    const scheduleFlush = (delayMs: number) => {
      if (timer) return;
      timer = setTimeout(() => flush(), delayMs);
      timer.unref();
    };

    const flushSoon = () => {
      const interval = Math.min(MAX_STEP_WRITE_INTERVAL_MS, Math.max(STEP_WRITE_INTERVAL_MS, lastCost / MAX_WRITE_SHARE));
      const since = Date.now() - lastWrite;
      if (since >= interval) {
        flush();
        return;
      }
      if (timer) clearTimeout(timer);
      timer = undefined;
      scheduleFlush(interval - since);
    };

    return (event: RunEvent) => {
      if (event.type === 'run-start') {
        record = startRecord(event, currentWriter());
        const rec = record;
        guarded('start the record', () => {
          writeRecord(rec, false);
          index.append([summarize(rec)]);
        });
        lastWrite = Date.now();
        return;
      }
      if (!record || event.runId !== record.id) return;
      if (event.type === 'metric') {
        record.updated = event.time;
        historyLines.push(JSON.stringify({ step: event.step, name: event.name, index: event.index, value: event.value, time: event.time }) + '\n');
        scheduleFlush(METRIC_DEBOUNCE_MS);
        return;
      }
      applyEvent(record, event);
      if (event.type === 'step-start' || event.type === 'step-end') flushSoon();
      else if (event.type === 'run-end') {
        // The index never runs ahead of the record: a run whose last record did not reach the disk stays
        // listed as running, and the next command finds its writer gone and marks it interrupted.
        if (!flush(true)) return;
        const rec = record;
        guarded('add to the index the summary', () => index.append([summarize(rec)]));
      }
    };
  }

  return {
    newRunId() {
      mkdirSync(runsDir, { recursive: true });
      for (;;) {
        const id = randomRunId();
        try {
          mkdirSync(join(runsDir, id));
          return id;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
    },

    recorder,

    summaryReader,

    async list(opts = {}) {
      if (!existsSync(runsDir)) return [];
      let runs = [...loadSummaries().values()];
      if (opts.flow !== undefined) runs = runs.filter((r) => r.flow === opts.flow);
      if (opts.status !== undefined) runs = runs.filter((r) => r.status === opts.status);
      runs.sort((a, b) => b.start - a.start || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return opts.limit !== undefined ? runs.slice(0, opts.limit) : runs;
    },

    async get(runId, historyKey) {
      let id = runId;
      if (!isRunId(id) || !existsSync(join(runsDir, id))) {
        const matches = runIdsOnDisk().filter((candidate) => candidate.startsWith(runId));
        if (matches.length === 0) return undefined;
        if (matches.length > 1) throw new AmbiguousRunIdError(runId, matches.sort().reverse());
        id = matches[0];
      }
      const record = readRecord(id);
      if (record) record.histories = readHistories(id, historyKey);
      return record;
    },

    async historyKeys(runId) {
      if (!isRunId(runId)) return [];
      let stat;
      try {
        stat = statSync(historyFile(runId));
      } catch {
        return [];
      }
      const known = historyKeyCache.get(runId);
      if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.keys;
      const keys = historyKeysOf(historyText(runId) ?? '');
      historyKeyCache.set(runId, { size: stat.size, mtimeMs: stat.mtimeMs, keys });
      return keys;
    },

    async markInterrupted() {
      if (!existsSync(runsDir)) return [];
      const here = currentWriter();
      const interrupted: RunSummary[] = [];
      for (const summary of loadSummaries().values()) {
        if (summary.status !== 'running' || !summary.writer || writerState(summary.writer, here) !== 'dead') continue;
        const record = readRecord(summary.id);
        if (record?.status !== 'running') continue;
        interruptRecord(record);
        writeRecord(record, true);
        interrupted.push(summarize(record));
      }
      index.append(interrupted);
      return interrupted.map((s) => s.id);
    },

    async star(runId, on) {
      if (!runExists(runId)) return false;
      if (on) stars.set(runId, true);
      else stars.delete(runId);
      return true;
    },

    async starred() {
      return new Set(stars.keys().filter(runExists));
    },

    async remove(runId) {
      if (!runExists(runId)) return false;
      const record = readRecord(runId);
      if (record?.status === 'running' && writerState(record.writer) !== 'dead') throw new RunInProgressError(runId);
      // One rename takes the run away atomically; a crash before the rm leaves only a non-run folder.
      const doomed = join(runsDir, `.removed-${runId}-${process.pid}`);
      renameSync(join(runsDir, runId), doomed);
      stars.delete(runId);
      // A tombstone, not a rewrite of the index: readers drop the run from what they hold, and keep the
      // table cache, which a rewrite would make them rebuild from ~270 MB of JSON at 100,000 runs.
      index.appendRemoved([runId]);
      for (const name of readdirSync(runsDir)) {
        if (name.startsWith('.removed-')) rmSync(join(runsDir, name), { recursive: true, force: true });
      }
      rmSync(join(stateDir, 'logs', runId), { recursive: true, force: true });
      return true;
    },
  };
}
