// The experiments panel's host logic, vscode-free: it keeps every run in a columnar RunTable, answers the
// webview's queries with the window it shows, and pushes deltas (patched rows of that window, or a changed
// result) as runs progress. Driven through `receive` and `post`, so a Node test or benchmark runs it as it
// runs in the editor. What needs VS Code (running a flow, a confirmation dialog, the clipboard) comes in
// as `actions`; where runs come from, as `source`.
import { HistoryBuckets, type HistoryBucketsRequest } from '../../core/runs/history-buckets';
import type { SeriesBuckets } from '../../core/runs/series';
import { parseFilter, type Filter } from '../../core/runs/query';
import { summarize } from '../../core/runs/record';
import type { SummarySink } from '../../core/runs/store';
import { RunTable, type Cell, type RunCells } from '../../core/runs/table';
import type { RunRecord, RunSummary } from '../../core/runs/types';
import type { WireMessage } from '../../webviews/platform/protocol';
import { ReportError } from '../../webviews/platform/protocol';
import {
  ActiveFlowChanged,
  ColumnsChanged,
  COMPARE_MAX,
  defaultViewState,
  ExportCsv,
  GetCompareRuns,
  GetHistories,
  FocusRun,
  GetIds,
  GetRows,
  Init,
  Notes,
  PositionOf,
  ResultChanged,
  RowsPatched,
  RunAction,
  RunQuery,
  SaveExport,
  SetStarred,
  toWireCell,
  Viewport,
  type ColumnInfo,
  type Group,
  type QueryProblem,
  type QueryResult,
  type Row,
  type RowAction,
  type RowWindow,
  type SortKey,
  type ViewState,
} from '../../webviews/experiments/contract';
import type { CompareRun } from '../../webviews/experiments/compare/types';
import { ChannelController } from './channel-controller';
import { toCsv } from './csv';

export interface RunSource {
  /**
   * Puts the runs of the workspace's flows into `sink`: every run the first time, after that the runs
   * written since, and drops the runs gone since (a source that cannot tell what changed puts every run
   * again: the table sees no change in an unchanged one). Answers the starred ids and notes about what was
   * skipped. Every call gets the same sink. The controller keeps no summary objects: 100,000 of them are
   * ~300 MB of heap. `unchecked`: the source put runs it has not checked yet (a run store's table cache,
   * before its run folders are listed), and the next load puts what the check finds; the controller asks for
   * it once its first rows are sent.
   */
  load(sink: SummarySink): Promise<{ starred: ReadonlySet<string>; notes: string[]; unchecked?: boolean }>;
  star(runId: string, on: boolean): Promise<void>;
  /** The record and histories go; cached outputs stay. */
  remove(runId: string): Promise<void>;
  /** One run's full record, histories included; with `historyKey`, the histories may hold only that key's (a chart's). */
  record(runId: string, historyKey?: string): Promise<RunRecord | undefined>;
  /** Runs arrived outside a load (MLflow's, read in the background): the controller reloads. */
  watch?(changed: () => void): void;
  /** A chart's buckets computed where the runs are (MLflow's reader child); undefined: from `record`s here. */
  histories?(req: HistoryBucketsRequest): Promise<SeriesBuckets[]> | undefined;
  /** The history keys of the runs, sorted; undefined: from their full `record`s. */
  historyKeys?(runIds: readonly string[]): Promise<string[]> | undefined;
  dispose?(): void;
}

/**
 * For a source that lists all its runs at every load: puts `summaries`, drops what `previous` (its last
 * listing) had that this one has not, and answers this listing's ids for the next call.
 */
export function putListed(sink: SummarySink, summaries: readonly RunSummary[], previous: ReadonlySet<string>): Set<string> {
  const listed = new Set<string>();
  for (const s of summaries) {
    listed.add(s.id);
    sink.put(s);
  }
  for (const id of previous) if (!listed.has(id)) sink.drop(id);
  return listed;
}

export interface RunActions {
  /** logs, rerun, modify, reveal, copyId; delete only after `confirmDelete`. */
  run(action: Exclude<RowAction, 'delete'>, run: RunSummary): Promise<void>;
  confirmDelete(run: RunSummary): Promise<boolean>;
  saveCsv(csv: string, rows: number): Promise<void>;
  /** A chart or compare-table export, saved where the user chooses. */
  saveExport(name: string, mime: string, data: Uint8Array | string): Promise<void>;
}

export interface ControllerOptions {
  /** Live updates reach the webview at most this often (default 250 ms). */
  throttleMs?: number;
  onError?(what: string, err: unknown): void;
}

interface Query {
  filter?: Filter;
  filterText: string;
  sort: SortKey[];
  groupByFlow: boolean;
  flow?: string;
  brush?: string;
}

type QueryParams = { filter: string; sort: SortKey[]; groupByFlow: boolean; flow?: string; brush?: string; window?: RowWindow };

const GROUP_KEY: SortKey = { column: 'flow', descending: false };

export class ExperimentsController extends ChannelController {
  private readonly table = RunTable.fromSummaries([]);
  /** The starred ids as the source last said, to find stars set or cleared elsewhere (`flowbench runs --star`). */
  private starred: ReadonlySet<string> = new Set();
  private columnKeys = new Set<string>();
  private columnsSignature = '';
  private notes: string[] = [];
  private loaded: Promise<void> | undefined;
  /** The last load or reload: the next waits for it, so two never read the same source at once. */
  private reading: Promise<unknown> | undefined;
  /** The last load left a check to the next (RunSource.load's `unchecked`): a reload follows the first window. */
  private unchecked = false;
  /** What the read in progress changed: the sink notes it. */
  private changes = { changed: new Set<string>(), setChanged: false };
  private readonly sink: SummarySink = {
    put: (summary) => {
      const known = typeof summary?.id === 'string' && this.table.rowOf(summary.id) !== undefined;
      const revision = this.table.revision;
      if (this.table.upsert(summary) < 0) return;
      if (!known) this.changes.setChanged = true;
      else if (this.table.revision !== revision) this.changes.changed.add(summary.id);
    },
    drop: (id) => {
      if (this.table.remove(id)) this.changes.setChanged = true;
    },
    putTable: (runs) => {
      if (runs.size === 0) return;
      this.table.absorb(runs);
      this.changes.setChanged = true;
    },
  };
  private query: Query = { filterText: '', sort: [], groupByFlow: false };
  private view: Int32Array = new Int32Array(0);
  private groups: Group[] = [];
  private version = 0;
  /** The window the webview last asked for: the rows a delta may touch. */
  private window = { from: 0, count: 0, columns: [] as string[] };
  private ready = false;
  /** A query's window was answered: first rows went out. */
  private windowSent = false;
  private pendingFocus: string | undefined;
  private activeFlow: string | undefined;
  /** Live metric values not yet shown, by run id and metric name. */
  private readonly live = new Map<string, Map<string, number>>();
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly startTimer: ReturnType<typeof setTimeout>;
  private prepareTimer: ReturnType<typeof setTimeout> | undefined;
  /** The window's columns whose sort ranks are computed while idle, one a turn (see rankSoon). */
  private toRank: { columns: string[]; key: string } = { columns: [], key: '' };
  private rankTimer: ReturnType<typeof setImmediate> | undefined;
  private readonly throttleMs: number;
  private readonly onError: (what: string, err: unknown) => void;
  private readonly histories: HistoryBuckets;
  /** A result computed before it was asked for (the first query, while the webview boots), and for what. */
  private prepared: { key: string; revision: number; view: Int32Array; groups: Group[] } | undefined;

  constructor(
    post: (message: WireMessage) => void,
    private readonly source: RunSource,
    private readonly actions: RunActions,
    options: ControllerOptions = {},
  ) {
    const onError = options.onError ?? (() => undefined);
    super(post, onError);
    this.throttleMs = options.throttleMs ?? 250;
    this.onError = onError;
    this.histories = new HistoryBuckets({ get: (runId, key) => source.record(runId, key) });
    const c = this.channel;
    // The store is read while the webview boots (the open command creates this controller before the page
    // loads), from the next timer turn on: the extension host sends what the open command asked of VS Code
    // (the panel, its HTML) from a timer of its IPC writer, queued before this one, and a read started in this
    // turn would hold the page back by a slice of the store. A failure surfaces where Ready awaits it.
    this.startTimer = setTimeout(() => void this.ensureLoaded().catch(() => undefined), 0);
    // Before the first load ends, that load takes what arrived; after it, a reload does, at once.
    source.watch?.(() => void (this.loaded && this.applyReload().catch((err) => this.onError('reloading runs', err))));
    c.onReady(async ({ state }) => {
      await this.ensureLoaded();
      this.ready = true;
      c.notify(Init, { columns: this.table.columns(), notes: this.notes, focus: this.pendingFocus, activeFlow: this.activeFlow });
      this.pendingFocus = undefined;
      // Its first query comes once the webview has rendered Init; the result is computed meanwhile.
      this.prepareSoon(queryOf(isViewState(state) ? state : defaultViewState, this.activeFlow));
    });
    c.onCommand(ReportError, ({ message, stack }) => this.onError('webview', Object.assign(new Error(message), { stack })));
    c.onRequest(RunQuery, async (params) => {
      await this.ensureLoaded();
      return this.runQuery(params);
    });
    c.onRequest(GetRows, ({ version, from, count, columns }) => {
      if (version !== this.version) return { version: this.version, from, rows: [] };
      return { version, from, rows: this.rows({ from, count, columns }) };
    });
    c.onCommand(Viewport, ({ version, from, count, columns }) => {
      if (version !== this.version) return;
      this.window = { from, count, columns };
      this.rankSoon(columns);
    });
    c.onRequest(GetIds, ({ version, from, to }) => (version === this.version ? this.table.rows(this.view, from, to - from, []).map((r) => r.id) : []));
    c.onRequest(PositionOf, ({ version, id }) => (version === this.version ? this.positionOf(id) : -1));
    c.onCommand(SetStarred, ({ id, starred }) => this.setStarred(id, starred));
    c.onCommand(RunAction, ({ id, action }) => this.act(id, action));
    c.onCommand(ExportCsv, async ({ ids, columns }) => {
      const known = columns.filter((key) => this.columnKeys.has(key));
      const rows = ids
        ? this.table.rows(Int32Array.from(ids.map((id) => this.table.rowOf(id)).filter((r): r is number => r !== undefined)), 0, ids.length, known)
        : this.table.rows(this.view, 0, this.view.length, known);
      await this.actions.saveCsv(toCsv(known, rows), rows.length);
    });
    c.onRequest(GetCompareRuns, async ({ ids }) => {
      await this.ensureLoaded();
      const found = ids.map((id) => this.table.run(this.table.rowOf(id) ?? -1)).filter((r): r is RunCells => r !== undefined);
      const shown = found.slice(0, COMPARE_MAX);
      const runIds = shown.map((r) => r.id);
      return { runs: shown.map(compareRun), historyKeys: await (this.source.historyKeys?.(runIds) ?? this.histories.keys(runIds)), omitted: found.length - shown.length };
    });
    c.onRequest(GetHistories, (req) => {
      const request = { ...req, runIds: req.runIds.slice(0, COMPARE_MAX) };
      return this.source.histories?.(request) ?? this.histories.answer(request);
    });
    c.onCommand(SaveExport, ({ name, mime, text, base64 }) => this.actions.saveExport(name, mime, base64 !== undefined ? new Uint8Array(Buffer.from(base64, 'base64')) : (text ?? '')));
  }

  /** A row action, from the panel's buttons and keys or from the row's context menu (package.json). */
  async act(id: string, action: RowAction): Promise<void> {
    const run = await this.summaryOf(id);
    if (!run) return;
    if (action !== 'delete') return this.actions.run(action, run);
    if (!(await this.actions.confirmDelete(run))) return;
    await this.source.remove(id);
    this.histories.forget(id);
    this.table.remove(id);
    this.afterSetChange();
  }

  async setStarred(id: string, starred: boolean): Promise<void> {
    if (this.table.rowOf(id) === undefined) return;
    await this.source.star(id, starred);
    this.table.setStarred(id, starred);
    const stars = new Set(this.starred);
    if (starred) stars.add(id);
    else stars.delete(id);
    this.starred = stars;
    const affectsOrder = this.query.filterText.includes('starred') || this.query.sort.some((k) => k.column === 'starred');
    if (affectsOrder) this.reselect();
    else this.patchWindow(new Set([id]));
  }

  async toggleStar(id: string): Promise<void> {
    if (this.table.rowOf(id) !== undefined) await this.setStarred(id, !this.table.isStarred(id));
  }

  /** Shows a run: right away if the webview is up, else as part of Init. */
  focus(id: string): void {
    if (this.ready) this.channel.notify(FocusRun, { id });
    else this.pendingFocus = id;
  }

  /** The flow of the active editor (the webview restricts its query to it when following). */
  setActiveFlow(flow: string | undefined): void {
    if (flow === this.activeFlow) return;
    this.activeFlow = flow;
    if (this.ready) this.channel.notify(ActiveFlowChanged, { flow });
  }

  /** Runs were written on disk (a run started or ended, one was imported): reload, throttled. */
  reload(): void {
    if (this.reloadTimer || !this.loaded) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.applyReload().catch((err) => this.onError('reloading runs', err));
    }, this.throttleMs);
  }

  /** A running run reported a metric value: its row shows it within the throttle interval. */
  liveMetric(runId: string, name: string, value: number): void {
    if (this.table.rowOf(runId) === undefined || !Number.isFinite(value)) return;
    let values = this.live.get(runId);
    if (!values) this.live.set(runId, (values = new Map()));
    values.set(name, value);
    this.liveTimer ??= setTimeout(() => this.flushLive(), this.throttleMs);
  }

  override dispose(): void {
    clearTimeout(this.startTimer);
    clearTimeout(this.prepareTimer);
    clearTimeout(this.liveTimer);
    clearTimeout(this.reloadTimer);
    clearImmediate(this.rankTimer);
    this.source.dispose?.();
  }

  private ensureLoaded(): Promise<void> {
    this.loaded ??= this.read().then(() => {
      this.refreshColumns(false);
      // The webview's first query is most likely the default view's: have its result ready when it asks.
      if (!this.ready) this.prepareSoon(queryOf(defaultViewState, this.activeFlow));
    });
    return this.loaded;
  }

  /** What the source has that the table lacks, into the table: which runs changed, and whether the set did. */
  private read(): Promise<{ changed: Set<string>; setChanged: boolean }> {
    const run = async () => {
      const changes = (this.changes = { changed: new Set<string>(), setChanged: false });
      const { starred, notes, unchecked } = await this.source.load(this.sink);
      this.unchecked = unchecked === true;
      // A load after the first window (a reload) finishes an unfinished check with the next reload, at once.
      if (this.unchecked && this.windowSent) this.reload();
      const { changed } = changes;
      for (const id of starred) if (!this.starred.has(id)) this.restar(id, true, changed);
      for (const id of this.starred) if (!starred.has(id)) this.restar(id, false, changed);
      this.starred = new Set(starred);
      if (notes.join('\n') !== this.notes.join('\n')) {
        this.notes = notes;
        if (this.ready) this.channel.notify(Notes, { notes });
      }
      return changes;
    };
    // Started at once when nothing is being read: the open command's load must not wait for a turn.
    const next = this.reading ? this.reading.then(run) : run();
    const settled: Promise<unknown> = next.catch(() => undefined).then(() => {
      if (this.reading === settled) this.reading = undefined;
    });
    this.reading = settled;
    return next;
  }

  private restar(id: string, on: boolean, changed: Set<string>): void {
    if (this.table.rowOf(id) === undefined || this.table.isStarred(id) === on) return;
    this.table.setStarred(id, on);
    changed.add(id);
  }

  /** A run's summary as its record has it now, for the row actions (the table keeps only its cells). */
  private async summaryOf(id: string): Promise<RunSummary | undefined> {
    if (this.table.rowOf(id) === undefined) return undefined;
    const record = await this.source.record(id);
    return record && summarize(record);
  }

  /**
   * Prepares `params` from a timer (instead of one pending): what was just posted (Init, behind the
   * extension host's IPC writer, whose timer comes first) is not held back by the computing.
   */
  private prepareSoon(params: QueryParams): void {
    clearTimeout(this.prepareTimer);
    this.prepareTimer = setTimeout(() => {
      this.prepareTimer = undefined;
      this.prepare(params);
    }, 0);
  }

  /** Selects for `params` now and keeps the result for the query that asks for it next. */
  private prepare(params: QueryParams): void {
    const query = this.parseQuery(params);
    if ('problems' in query) return;
    const key = queryKey(query);
    if (this.prepared?.key === key && this.prepared.revision === this.table.revision) return;
    const { view, groups } = this.compute(query);
    this.prepared = { key, revision: this.table.revision, view, groups };
  }

  /** The query `params` name, or the problems of its filter. */
  private parseQuery(params: QueryParams): Query | { problems: QueryProblem[] } {
    const parsed = parseFilter(params.filter, this.columnKeys);
    if (parsed.problems.length > 0) return { problems: parsed.problems };
    const sort = params.sort.filter((k) => this.columnKeys.has(k.column));
    let filter = parsed.filter;
    if (params.flow !== undefined || params.brush) {
      const parts = [params.flow !== undefined ? `flow = ${JSON.stringify(params.flow)}` : '', params.filter.trim() ? `(${params.filter})` : '', params.brush ? `(${params.brush})` : ''];
      filter = parseFilter(parts.filter(Boolean).join(' and '), this.columnKeys).filter ?? filter;
    }
    return { filter, filterText: params.filter, sort, groupByFlow: params.groupByFlow, flow: params.flow, brush: params.brush };
  }

  private runQuery(params: QueryParams): QueryResult {
    clearTimeout(this.prepareTimer); // asked before it was prepared: computed once, here
    this.prepareTimer = undefined;
    const parsed = this.parseQuery(params);
    // A typo keeps the last good result on screen; the webview shows the problem where it is.
    if ('problems' in parsed) return { ...this.result(), problems: parsed.problems };
    this.query = parsed;
    this.select();
    if (!params.window) return this.result();
    this.window = params.window;
    const answer = { ...this.result(), window: { from: params.window.from, rows: this.rows(params.window), columns: params.window.columns } };
    // The first rows are on their way: now the check the first load left (the throttle gives the page its frame).
    if (!this.windowSent && this.unchecked) this.reload();
    this.windowSent = true;
    this.rankSoon(params.window.columns);
    return answer;
  }

  /**
   * Computes the sort ranks of the columns on screen (those whose headers can be clicked) while idle, a column
   * a turn so messages go first: a first sort by one of them then only orders the rows (at 10,000 runs, the
   * click's host share 13-21 ms → 3-9). Asked again when the columns on screen or the table change (a reload,
   * a live update), not per scroll; a column whose ranks are current costs nothing.
   */
  private rankSoon(columns: readonly string[]): void {
    const key = `${this.table.revision}\n${columns.join('\n')}`;
    if (key === this.toRank.key) return;
    this.toRank = { columns: [...columns], key };
    const next = () => {
      const column = this.toRank.columns.shift();
      if (column === undefined) return void (this.rankTimer = undefined);
      this.table.prepareSort(column);
      this.rankTimer = setImmediate(next);
    };
    this.rankTimer ??= setImmediate(next);
  }

  private rows({ from, count, columns }: RowWindow): Row[] {
    const known = columns.filter((key) => this.columnKeys.has(key));
    const rows = this.table.rows(this.view, from, count, known);
    // Columns the table does not have (any more) are empty cells, so positions stay aligned.
    if (known.length !== columns.length) for (const row of rows) row.cells = columns.map((key) => (this.columnKeys.has(key) ? row.cells[known.indexOf(key)]! : null));
    return wireRows(rows);
  }

  private result(): QueryResult {
    return { version: this.version, total: this.view.length, size: this.table.size, problems: [], groups: this.groups };
  }

  private select(): void {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (prepared && prepared.revision === this.table.revision && prepared.key === queryKey(this.query)) ({ view: this.view, groups: this.groups } = prepared);
    else ({ view: this.view, groups: this.groups } = this.compute(this.query));
    this.version++;
  }

  private compute(query: Query): { view: Int32Array; groups: Group[] } {
    const sort = query.groupByFlow ? [GROUP_KEY, ...query.sort.filter((k) => k.column !== 'flow')] : query.sort;
    const view = this.table.select({ filter: query.filter, sort });
    const groups = query.groupByFlow ? this.table.runsOf(view, 'flow').map(({ value, start, count }) => ({ flow: String(value), start, count })) : [];
    return { view, groups };
  }

  /** Re-runs the current query and tells the webview, whose cached windows are now stale. */
  private reselect(): void {
    this.select();
    if (this.ready) this.channel.notify(ResultChanged, this.result());
  }

  private afterSetChange(): void {
    this.refreshColumns(true);
    this.reselect();
  }

  private positionOf(id: string): number {
    const row = this.table.rowOf(id);
    if (row === undefined) return -1;
    return this.view.indexOf(row);
  }

  private refreshColumns(notify: boolean): void {
    const columns: ColumnInfo[] = this.table.columns();
    this.columnKeys = new Set(columns.map((c) => c.key));
    const signature = columns.map((c) => `${c.key}:${c.type}:${c.differs ? 1 : 0}`).join(',');
    if (signature === this.columnsSignature) return;
    this.columnsSignature = signature;
    if (notify && this.ready) this.channel.notify(ColumnsChanged, { columns });
  }

  /** Sends fresh cells of the rows among `ids` that are in the window the webview shows. */
  private patchWindow(ids: ReadonlySet<string>): void {
    if (!this.ready || this.window.count === 0) return;
    const known = this.window.columns.filter((key) => this.columnKeys.has(key));
    const shown = this.table.rows(this.view, this.window.from, this.window.count, []);
    const positions = shown.flatMap((row, i) => (ids.has(row.id) ? [this.window.from + i] : []));
    if (positions.length === 0) return;
    const rows = this.table.rows(Int32Array.from(positions, (p) => this.view[p]!), 0, positions.length, known);
    this.channel.notify(RowsPatched, { version: this.version, rows: wireRows(rows), columns: known });
  }

  private flushLive(): void {
    this.liveTimer = undefined;
    const changed = new Set(this.live.keys());
    for (const [id, values] of this.live) for (const [name, value] of values) this.table.setMetric(id, name, value);
    this.live.clear();
    this.refreshColumns(true);
    // Live values repaint in place; rows are re-ordered by them at the next reload (run end), not each tick.
    this.patchWindow(changed);
  }

  private async applyReload(): Promise<void> {
    await this.loaded; // a reload during the first load applies to the table that load makes
    const { changed, setChanged } = await this.read();
    if (!setChanged && changed.size === 0) return;
    this.refreshColumns(true);
    const before = this.view;
    this.select();
    if (setChanged || !sameOrder(before, this.view)) {
      if (this.ready) this.channel.notify(ResultChanged, this.result());
    } else {
      this.version--; // same rows in the same order: the webview's windows stay valid
      this.patchWindow(changed);
    }
  }
}

/** Rows as they cross postMessage (NaN and ±Infinity kept, see WireCell). */
function wireRows(rows: { id: string; cells: Cell[] }[]): Row[] {
  return rows.map((row) => ({ id: row.id, cells: row.cells.map(toWireCell) }));
}

/** A run as the compare view shows it: params as the table has them (objects and arrays as their JSON), numeric metrics. */
function compareRun(r: RunCells): CompareRun {
  return {
    id: r.id,
    label: r.id,
    flow: r.flow,
    status: r.status,
    // NaN and ±Infinity as WireCell markers: JSON would turn them into null, a missing value.
    params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, toWireCell(v)])),
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, typeof v === 'number' ? toWireCell(v) : null])),
  };
}

function sameOrder(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The query a webview with this saved state asks first (app.tsx). */
function queryOf(state: ViewState, activeFlow: string | undefined): QueryParams {
  return { filter: state.filter, sort: state.sort, groupByFlow: state.groupByFlow, flow: state.followActiveFlow ? activeFlow : undefined };
}

function isViewState(state: unknown): state is ViewState {
  const s = state as Partial<ViewState> | undefined;
  return typeof s === 'object' && s !== null && typeof s.filter === 'string' && Array.isArray(s.sort) && typeof s.groupByFlow === 'boolean';
}

/** What a result depends on (the window is not part of it). */
function queryKey(q: Query): string {
  return JSON.stringify([q.filterText, q.sort, q.groupByFlow, q.flow ?? null, q.brush ?? null]);
}
