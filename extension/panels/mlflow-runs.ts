// MLflow runs in the experiments panel, vscode-free: a RunSource over the tracking locations the editor
// knows (setting, MLFLOW_TRACKING_URI, ./mlruns and ./mlflow.db in the workspace), composed with the
// workspace's own runs. A server is read in-process (fetch); an mlflow.db and an mlruns/ folder by a
// long-lived CLI child per location (mlflow-reader-child.ts, core/mlflow/reader-service.ts): better-sqlite3
// is native, which the extension host never loads, and the file store reads its ~330,000 files at 10,000
// runs synchronously (fastest, see core/mlflow/file-store.ts), which would freeze the extension host.
// Nothing waits for MLflow: a load puts what has arrived and starts a read in the background, and the panel
// shows "Reading MLflow runs…" until its rows join (`watch` tells the controller). The child hands its table
// over as a file in .flowbench/mlflow/ (core/mlflow/mlflow-table.ts); an mlflow.db's table there is used at
// once while the database's key (sizes and times of it and its -wal) is the one it was made for, so a
// reopened panel shows its MLflow rows with its own. An mlruns/ folder's last table is shown at once too, but
// stale-while-revalidate: no cheap check can vouch for it (MLflow appends metric lines to files, which moves
// no folder's stamp, so only the child's check of every stamp can tell), so the panel says it is checking
// until the child answers, and that answer replaces the table if any run changed, or drops its rows if the
// folder cannot be read (measured: 1.2–3.7 s of that check before the first MLflow row at 10,000 runs,
// test/bench/mlflow.bench.ts). MLflow runs are read-only.
import { join } from 'node:path';
import { mlflowRunSet, type MlflowRunSet } from '../../core/mlflow/collect';
import type { TrackingLocation } from '../../core/mlflow/locate';
import { mlflowRunId } from '../../core/mlflow/map';
import { mlflowTableFile, sqliteKey } from '../../core/mlflow/mlflow-table';
import { MlflowError } from '../../core/mlflow/model';
import type { TableAnswer } from '../../core/mlflow/reader-service';
import { restReader } from '../../core/mlflow/rest';
import type { HistoryBucketsRequest } from '../../core/runs/history-buckets';
import type { SeriesBuckets } from '../../core/runs/series';
import type { SummarySink } from '../../core/runs/store';
import type { RunTable } from '../../core/runs/table';
import { readSourceTable, sourceOfTable } from '../../core/runs/table-cache';
import type { RunRecord, RunSummary } from '../../core/runs/types';
import { putListed, type RunSource } from './experiments-controller';
import { readerChild, type CliCommand, type ReaderChild } from './mlflow-reader-child';

export const READ_ONLY = 'MLflow runs are read-only in Flowbench: star, delete or re-run them in MLflow itself.';

export interface MlflowSourceOptions {
  /** Where to look, read again at every load (settings and folders change). */
  locations(): TrackingLocation[];
  token(): Promise<string | undefined>;
  /** Said when a server answers 401/403. */
  tokenHint: string;
  /**
   * How to run the CLI for mlflow.db and mlruns/: `node dist/cli.js` with ELECTRON_RUN_AS_NODE, in `cwd`
   * (the workspace folder: the index of an mlruns/ folder's parsed runs and the MLflow tables go to its
   * .flowbench/mlflow/).
   */
  cli: CliCommand;
  timeoutMs?: number;
  /**
   * Start a location's reader child when its rows come from the cache, so the compare view's first chart
   * does not wait for a Node start (default true; tests that count children turn it off).
   */
  prestart?: boolean;
}

/** How long an mlruns/ folder or a server that was just read is shown as read. */
export const RECHECK_MS = 5000;

export function readingNote(location: TrackingLocation): string {
  return `Reading MLflow runs from ${location.uri}…`;
}

/** Said while an mlruns/ folder's cached table is shown and the child checks it for changed runs. */
export function checkingNote(location: TrackingLocation): string {
  return `Checking MLflow runs from ${location.uri} for changes…`;
}

function describe(location: TrackingLocation, err: unknown): string {
  const message = err instanceof MlflowError ? `${err.message}${err.remedy ? ` (${err.remedy})` : ''}` : (err as Error)?.message ?? String(err);
  return `MLflow runs from ${location.uri} are not shown: ${message}`;
}

/**
 * The CLI prints non-finite numbers as the strings "NaN", "Infinity" and "-Infinity" (JSON has none);
 * MLflow's metrics are numbers, so they are numbers again here (a diverged loss sorts as +∞, not as NaN).
 */
function revive<T extends { metrics: Record<string, unknown>; histories?: Record<string, { value: unknown }[]> }>(run: T): T {
  const number = (v: unknown) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v);
  for (const key in run.metrics) run.metrics[key] = number(run.metrics[key]);
  for (const key in run.histories) for (const p of run.histories[key]!) p.value = number(p.value);
  return run;
}

/** What a read brought, not yet in the panel's table. */
type Listing = { table?: RunTable; summaries?: RunSummary[]; key?: string; notes: string[] };

/** One tracking location as the source keeps it between loads. */
interface Place {
  location: TrackingLocation;
  child?: ReaderChild;
  set?: MlflowRunSet;
  /** The ids the panel's table has from it, and the key of the table they came from. */
  ids: ReadonlySet<string>;
  shownKey?: string;
  notes: string[];
  reading?: Promise<void>;
  /** The read in progress checks a table shown from the cache: its end is said even when nothing changed. */
  checking?: boolean;
  /** When the last read ended (performance.now()). */
  readAt?: number;
  /** A read's outcome that the next load puts (or says), then reads nothing more itself; `drop`: the rows shown go. */
  arrived?: Listing | { failure: string; drop: boolean };
  failure?: string;
  /** Records asked in one turn (the compare view's selection): one request to the child. */
  batch?: Map<string, { resolve(r: RunRecord | undefined): void; reject(err: unknown): void }[]>;
}

export type MlflowRunSource = RunSource & Required<Pick<RunSource, 'watch' | 'histories' | 'historyKeys' | 'dispose'>>;

export function mlflowRuns(options: MlflowSourceOptions): MlflowRunSource {
  const places = new Map<string, Place>();
  /** Which place listed a run. */
  const owners = new Map<string, Place>();
  const listeners: (() => void)[] = [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const cacheDir = join(options.cli.cwd ?? process.cwd(), '.flowbench', 'mlflow');
  let locationsNote: string | undefined;

  /**
   * An mlruns/ folder or a server shown a moment ago is not read again at every load (the workspace's own
   * runs reload the panel at each step of a run): the folder's check alone stats every run's files.
   */
  const recent = (place: Place) => place.readAt !== undefined && place.ids.size > 0 && performance.now() - place.readAt < RECHECK_MS;
  const childOf = (place: Place) => (place.child ??= readerChild(options.cli, place.location, timeoutMs));
  const changed = () => {
    for (const listener of listeners) listener();
  };

  /** The child's table: read from the file it names, asked once more if that file is torn or replaced meanwhile. */
  const tableFromChild = async (place: Place): Promise<Listing> => {
    for (let attempt = 0; ; attempt++) {
      const answer = await childOf(place).request<TableAnswer>('table', attempt ? { rebuild: true } : {});
      if ('summaries' in answer) return { summaries: answer.summaries.map(revive), notes: answer.notes };
      if (answer.key === place.shownKey) return { key: answer.key, notes: answer.notes };
      const table = readSourceTable(answer.file, answer.key);
      if (typeof table !== 'string') return { table, key: answer.key, notes: answer.notes };
      if (attempt) throw new Error(`the MLflow table ${answer.file} cannot be read: ${table}`);
    }
  };

  const read = async (place: Place): Promise<Listing> => {
    const { location } = place;
    if (location.kind !== 'rest') return tableFromChild(place);
    // Asked at every read: the user may have set a token since.
    const set = mlflowRunSet([restReader(location.url, { token: await options.token(), tokenHint: options.tokenHint, timeoutMs })]);
    const listed = await set.load();
    place.set = set;
    return { summaries: listed.summaries, notes: listed.notes };
  };

  const startRead = (place: Place) => {
    place.reading = read(place).then(
      (listing) => {
        // Nothing new (mlruns/ checked, its index unchanged): the panel needs no reload.
        if (!listing.table && !listing.summaries && listing.notes.join('\n') === place.notes.join('\n') && !place.failure) return;
        place.arrived = listing;
      },
      (err: unknown) => {
        // Rows shown unchecked from the cache are not shown beside a note that says they cannot be read.
        place.arrived = { failure: describe(place.location, err), drop: place.checking === true };
      },
    ).finally(() => {
      const checked = place.checking;
      place.reading = undefined;
      place.checking = undefined;
      place.readAt = performance.now();
      // A check that found nothing changed still ends: the panel drops its note.
      if (place.arrived || checked) changed();
    });
  };

  /** A listing into the table: its runs put, the place's runs it no longer has dropped. */
  const apply = (place: Place, sink: SummarySink, listing: Listing) => {
    place.notes = listing.notes;
    place.failure = undefined;
    if (listing.key !== undefined) place.shownKey = listing.key;
    let ids: Set<string>;
    if (listing.table) {
      ids = new Set(listing.table.ids());
      for (const id of place.ids) if (!ids.has(id)) sink.drop(id);
      if (sink.putTable) sink.putTable(listing.table);
      else throw new Error('the MLflow source puts tables: its sink needs putTable');
    } else if (listing.summaries) {
      ids = putListed(sink, listing.summaries, place.ids);
    } else return;
    for (const id of place.ids) if (owners.get(id) === place) owners.delete(id);
    for (const id of ids) owners.set(id, place);
    place.ids = ids;
  };

  const dropAll = (place: Place, sink: SummarySink) => {
    for (const id of place.ids) {
      sink.drop(id);
      if (owners.get(id) === place) owners.delete(id);
    }
    place.ids = new Set();
    place.shownKey = undefined;
  };

  const forget = (place: Place, sink: SummarySink) => {
    dropAll(place, sink);
    place.child?.close();
    places.delete(place.location.uri);
  };

  /** The one child place that lists every id, for requests it can answer itself. */
  const childPlaceOf = (ids: readonly string[]): Place | undefined => {
    const place = ids.length ? owners.get(ids[0]!) : undefined;
    return place && place.location.kind !== 'rest' && ids.every((id) => owners.get(id) === place) ? place : undefined;
  };

  const recordFromChild = (place: Place, runId: string) => new Promise<RunRecord | undefined>((resolve, reject) => {
    if (!place.batch) {
      const taken = (place.batch = new Map());
      setImmediate(() => {
        place.batch = undefined;
        childOf(place).request<RunRecord[]>('records', { ids: [...taken.keys()] }).then(
          (records) => {
            const byId = new Map(records.map((r) => [r.id, revive(r)]));
            for (const [id, waiting] of taken) for (const w of waiting) w.resolve(byId.get(id));
          },
          (err: unknown) => {
            for (const waiting of taken.values()) for (const w of waiting) w.reject(err);
          },
        );
      });
    }
    (place.batch.get(runId) ?? place.batch.set(runId, []).get(runId)!).push({ resolve, reject });
  });

  return {
    async load(sink) {
      let locations: TrackingLocation[];
      try {
        locations = options.locations();
        locationsNote = undefined;
      } catch (err) {
        locations = [];
        locationsNote = `MLflow runs are not shown: ${err instanceof MlflowError ? `${err.message} (${err.remedy})` : String(err)}`;
      }
      const uris = new Set(locations.map((l) => l.uri));
      for (const place of [...places.values()]) if (!uris.has(place.location.uri)) forget(place, sink);
      const notes: string[] = locationsNote ? [locationsNote] : [];
      for (const location of locations) {
        let place = places.get(location.uri);
        if (!place) places.set(location.uri, (place = { location, ids: new Set(), notes: [] }));
        const arrived = place.arrived;
        place.arrived = undefined;
        if (arrived && 'failure' in arrived) {
          place.failure = arrived.failure;
          if (arrived.drop) dropAll(place, sink);
        } else if (arrived) apply(place, sink, arrived);
        else if (!place.reading) {
          // An mlflow.db whose table in the cache is still its own: no child, no wait.
          const db = location.kind === 'sqlite' ? sqliteKey(location.file) : undefined;
          // An mlruns/ folder's last table, whatever state it was made for: shown before its first read, then
          // checked by the child (later loads have the rows the reads put).
          const files = location.kind === 'file' && place.readAt === undefined ? sourceOfTable(mlflowTableFile(cacheDir, location)) : undefined;
          if (db && db.key === place.shownKey) {
            // Unchanged since it was put.
          } else {
            const key = db && !db.racy ? db.key : files;
            const table = key ? readSourceTable(mlflowTableFile(cacheDir, location), key) : undefined;
            if (table && typeof table !== 'string') {
              apply(place, sink, { table, key: key!, notes: [] });
              if (files) {
                place.checking = true;
                startRead(place);
              } else if (options.prestart !== false) {
                const cached = place;
                // After the rows are posted; not for a source disposed meanwhile.
                setTimeout(() => places.get(location.uri) === cached && childOf(cached), 0);
              }
            } else if (db || !recent(place)) startRead(place);
          }
        }
        if (place.failure) notes.push(place.failure);
        else if (place.reading && place.checking) notes.push(checkingNote(location));
        else if (place.reading && place.shownKey === undefined && place.ids.size === 0) notes.push(readingNote(location));
        notes.push(...place.notes);
      }
      return { starred: new Set<string>(), notes };
    },
    async star() {
      throw new Error(READ_ONLY);
    },
    async remove() {
      throw new Error(READ_ONLY);
    },
    async record(runId) {
      const place = owners.get(runId);
      if (!place) return undefined;
      if (place.set) return place.set.record(runId);
      return recordFromChild(place, runId);
    },
    watch(listener) {
      listeners.push(listener);
    },
    histories(req: HistoryBucketsRequest) {
      const place = childPlaceOf(req.runIds);
      return place ? childOf(place).request<SeriesBuckets[]>('histories', { request: req }) : undefined;
    },
    historyKeys(ids) {
      const place = childPlaceOf(ids);
      return place ? childOf(place).request<string[]>('keys', { ids }) : undefined;
    },
    dispose() {
      for (const place of places.values()) place.child?.close();
      places.clear();
      owners.clear();
      listeners.length = 0;
    },
  };
}

/** The workspace's runs and MLflow's in one panel; each action goes to the source that has the run. */
export function withMlflow(own: RunSource, mlflow: MlflowRunSource): RunSource {
  const pick = (id: string) => (mlflowRunId(id) !== undefined ? mlflow : own);
  const allMlflow = (ids: readonly string[]) => ids.length > 0 && ids.every((id) => mlflowRunId(id) !== undefined);
  return {
    async load(sink) {
      // Our own runs first: MLflow's load never waits for MLflow (it puts what has arrived).
      const a = await own.load(sink);
      const b = await mlflow.load(sink);
      return { starred: a.starred, notes: [...a.notes, ...b.notes], unchecked: a.unchecked };
    },
    star: (runId, on) => pick(runId).star(runId, on),
    remove: (runId) => pick(runId).remove(runId),
    record: (runId, historyKey) => pick(runId).record(runId, historyKey),
    watch: (listener) => mlflow.watch(listener),
    histories: (req) => (allMlflow(req.runIds) ? mlflow.histories(req) : undefined),
    historyKeys: (ids) => {
      // Each source lists its own runs' keys; undefined (from the runs' records) only if one cannot.
      const theirs = ids.filter((id) => mlflowRunId(id) !== undefined);
      const mine = ids.filter((id) => mlflowRunId(id) === undefined);
      const a = theirs.length > 0 ? mlflow.historyKeys(theirs) : Promise.resolve([]);
      const b = mine.length > 0 ? own.historyKeys?.(mine) : Promise.resolve([]);
      return a && b ? Promise.all([a, b]).then(([x, y]) => [...new Set([...x, ...y])].sort()) : undefined;
    },
    dispose: () => {
      own.dispose?.();
      mlflow.dispose();
    },
  };
}
