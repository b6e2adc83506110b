// Run summaries as columns, so the experiments panel and `flowbench runs` can filter and sort 100,000
// runs × 100 params/metrics well inside the panel's 250 ms (test/bench/runs.bench.ts) without touching
// an object per cell: each column keeps a kind byte and a Float64 per row, plus the text of rows that
// hold text.
// Rows are never renumbered: a removed run leaves an empty row behind, so row numbers a panel holds
// stay valid, and the table stays as fast as it was (removals are rare user actions).
//
// What a summary holds that cannot be shown is skipped and counted (skipped()), never thrown:
// a hand-edited index may have a run without an id, params that are not an object, or metrics that
// are strings (kept, shown as text, sorted after the numbers). A metric written as null is how JSON
// stores NaN and Infinity, so null metrics show as NaN.
import { filterTree, INFO_COLUMNS, type CompareOp, type FilterNode, type Literal, type SortKey, type Filter } from './query';
import type { RunSummary } from './types';

export type Cell = number | string | boolean | null;

export interface ColumnInfo {
  key: string;
  group: 'info' | 'param' | 'metric';
  type: 'number' | 'string' | 'mixed';
  /** Not every run (of the view asked about) has the same value here; a missing value counts as one. */
  differs: boolean;
}

export interface SkipReport {
  /** Summaries left out entirely. */
  runs: number;
  /** Values left out of runs that are shown. */
  values: number;
  /** Param and metric columns beyond MAX_COLUMNS. */
  columns: number;
  /** The first few reasons, each naming the run. */
  examples: string[];
}

export interface RunCells {
  id: string;
  flow: string;
  status: string;
  params: Record<string, Cell>;
  metrics: Record<string, Cell>;
}

/**
 * Params and metrics columns kept at most. 100,000 runs × 2,000 columns would already be 1.8 GB of
 * columns; a store with more distinct names than this is a bug in whoever wrote them.
 */
export const MAX_COLUMNS = 2000;
const MAX_EXAMPLES = 20;
/** Columns whose sort ranks are kept: a screenful of columns and a sort's keys (16 MB at 100,000 rows). */
const MAX_RANKED = 32;

const MISSING = 0;
const NUMBER = 1;
const TEXT = 2;
const TRUE = 3;
const FALSE = 4;

/** Sort classes: numbers, then text, then NaN, then missing, in either direction. */
const CLASS_OF_KIND = [3, 0, 1, 1, 1];
const CLASS_NAN = 2;
const CLASS_MISSING = 3;
const FEW_TEXTS = 1024;

const INFO_TYPES: Record<(typeof INFO_COLUMNS)[number], ColumnInfo['type']> = {
  id: 'string', flow: 'string', status: 'string', start: 'number', duration: 'number',
  code: 'string', overrides: 'string', starred: 'string', sweep: 'string', source: 'string',
};

/**
 * A table's columns as plain arrays of `rows` entries (removed rows included, as empty rows) or more (room to
 * grow, all arrays alike): what table-cache.ts writes and reads back. `kind` holds MISSING 0, NUMBER 1, TEXT 2, TRUE 3, FALSE 4 per row;
 * `num` the number of NUMBER rows; `text` the text of TEXT rows (sparse).
 */
export interface TableImage {
  rows: number;
  alive: Uint8Array;
  /** The info columns (in INFO_COLUMNS order), then params, then metrics. */
  columns: ColumnImage[];
  skips: SkipReport;
  droppedColumns: string[];
}

export interface ColumnImage {
  key: string;
  group: ColumnInfo['group'];
  kind: Uint8Array;
  num: Float64Array;
  text: string[] | undefined;
  numbers: number;
  texts: number;
}

export const KIND_COUNT = 5;

interface SortRanks {
  cls: Uint8Array;
  rank: Uint32Array;
  /** Distinct values per class. */
  distinct: Uint32Array;
}

class Column {
  kind: Uint8Array;
  num: Float64Array;
  text: string[] | undefined;
  numbers = 0;
  texts = 0;
  /** Bumped on every change, so sort arrays computed from it know when they are stale. */
  version = 0;
  /** The upsert that last wrote this column. */
  stamp = 0;
  private sortCache: (SortRanks & { version: number }) | undefined;

  constructor(
    readonly key: string,
    readonly group: ColumnInfo['group'],
    capacity: number,
  ) {
    this.kind = new Uint8Array(capacity);
    this.num = new Float64Array(capacity);
  }

  /** A column over arrays of `rows` entries made elsewhere (a decoded table cache), kept as they are. */
  static over(image: ColumnImage): Column {
    const column = new Column(image.key, image.group, 0);
    column.kind = image.kind;
    column.num = image.num;
    column.text = image.text;
    column.numbers = image.numbers;
    column.texts = image.texts;
    return column;
  }

  image(rows: number): ColumnImage {
    return { key: this.key, group: this.group, kind: this.kind.subarray(0, rows), num: this.num.subarray(0, rows), text: this.text, numbers: this.numbers, texts: this.texts };
  }

  grow(capacity: number): void {
    const kind = new Uint8Array(capacity);
    kind.set(this.kind);
    this.kind = kind;
    const num = new Float64Array(capacity);
    num.set(this.num);
    this.num = num;
  }

  /** False when the row already held this value. */
  set(row: number, value: Cell): boolean {
    const old = this.kind[row];
    let kind: number;
    if (value === null) kind = MISSING;
    else if (typeof value === 'number') kind = NUMBER;
    else if (typeof value === 'boolean') kind = value ? TRUE : FALSE;
    else kind = TEXT;
    if (old === kind) {
      if (kind === MISSING || kind === TRUE || kind === FALSE) return false;
      if (kind === NUMBER && Object.is(this.num[row], value)) return false;
      if (kind === TEXT && this.text![row] === value) return false;
    }
    if (old === NUMBER) this.numbers--;
    else if (old !== MISSING) this.texts--;
    this.kind[row] = kind;
    if (kind === NUMBER) {
      this.num[row] = value as number;
      this.numbers++;
    } else if (kind !== MISSING) {
      this.texts++;
      if (kind === TEXT) (this.text ??= [])[row] = value as string;
    }
    this.version++;
    return true;
  }

  /** set() for a row this column holds nothing in yet (a new row): the build's path, with no old value to
   *  compare or uncount. */
  setNew(row: number, value: unknown): void {
    if (typeof value === 'number') {
      this.kind[row] = NUMBER;
      this.num[row] = value;
      this.numbers++;
      this.version++;
    } else if (value !== null && value !== undefined) this.set(row, toCell(value));
  }

  get(row: number): Cell {
    switch (this.kind[row]) {
      case NUMBER: return this.num[row];
      case TEXT: return this.text![row];
      case TRUE: return true;
      case FALSE: return false;
      default: return null;
    }
  }

  same(a: number, b: number): boolean {
    const k = this.kind[a];
    if (k !== this.kind[b]) return false;
    if (k === NUMBER) return Object.is(this.num[a], this.num[b]) || this.num[a] === this.num[b];
    if (k === TEXT) return this.text![a] === this.text![b];
    return true;
  }

  /**
   * Per row a sort class and a dense rank within it (equal values, equal ranks), and how many distinct
   * values each class has: what the counting sort in RunTable.sortRows orders by.
   */
  sortRanks(rows: number): SortRanks {
    if (this.sortCache?.version === this.version && this.sortCache.cls.length >= rows) return this.sortCache;
    const cls = new Uint8Array(rows);
    const rank = new Uint32Array(rows);
    const distinct = new Uint32Array(4);
    const texts: string[] = [];
    let textRows = 0;
    let numberRows = 0;
    // Few distinct texts (statuses, optimizers) rank through a Map, ~10× faster than sorting 100,000
    // rows by text; many (ids) by sorting their rows, 2.5× faster than a Map of 100,000 distinct ids.
    let few: Map<string, number> | undefined = new Map();
    for (let r = 0; r < rows; r++) {
      const k = this.kind[r];
      cls[r] = CLASS_OF_KIND[k];
      if (k === NUMBER) {
        if (this.num[r] !== this.num[r]) cls[r] = CLASS_NAN;
        else numberRows++;
      } else if (k !== MISSING) {
        const text = this.textOf(r);
        texts[r] = text;
        textRows++;
        if (few && !few.has(text)) {
          if (few.size < FEW_TEXTS) few.set(text, 0);
          else few = undefined;
        }
      }
    }
    const ordered = numberRows > 0 ? this.rankInRowOrder(rows, cls, rank) : 0;
    if (ordered > 0) distinct[0] = ordered;
    else if (numberRows > 0) {
      // The engine's own sort of a Float64Array (no comparator) and a binary search per row, once per
      // column version; each sort after that is a counting sort (sortRows).
      const sorted = new Float64Array(numberRows);
      let i = 0;
      for (let r = 0; r < rows; r++) if (cls[r] === 0) sorted[i++] = this.num[r];
      sorted.sort();
      let unique = 0;
      for (i = 0; i < numberRows; i++) if (unique === 0 || sorted[i] !== sorted[unique - 1]) sorted[unique++] = sorted[i];
      distinct[0] = unique;
      for (let r = 0; r < rows; r++) {
        if (cls[r] !== 0) continue;
        const v = this.num[r];
        let lo = 0;
        let hi = unique - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (sorted[mid] < v) lo = mid + 1;
          else hi = mid;
        }
        rank[r] = lo;
      }
    }
    if (textRows > 0 && few) {
      [...few.keys()].sort().forEach((text, i) => few!.set(text, i));
      distinct[1] = few.size;
      for (let r = 0; r < rows; r++) if (cls[r] === 1) rank[r] = few.get(texts[r])!;
    } else if (textRows > 0) {
      // Code-unit order, as Array.prototype.sort uses: Intl.Collator costs 5× more.
      const order = new Int32Array(textRows);
      let i = 0;
      for (let r = 0; r < rows; r++) if (cls[r] === 1) order[i++] = r;
      order.sort((a, b) => (texts[a] < texts[b] ? -1 : texts[a] > texts[b] ? 1 : 0));
      let next = 0;
      for (i = 0; i < textRows; i++) {
        if (i > 0 && texts[order[i]] !== texts[order[i - 1]]) next++;
        rank[order[i]] = next;
      }
      distinct[1] = next + 1;
    }
    distinct[CLASS_NAN] = 1;
    distinct[CLASS_MISSING] = 1;
    this.sortCache = { version: this.version, cls, rank, distinct };
    return this.sortCache;
  }

  /**
   * Dense ranks of the numbers (class 0) in one pass when they never decrease in row order, and how many
   * distinct there are; 0 when they do decrease (ranks left for the sort). Rows are added as runs start, so
   * `start`, the order the panel opens with, mostly is: 14 ms instead of 50 for the sort and binary searches
   * at 100,000 runs (a cold process, as a panel's first query is).
   */
  private rankInRowOrder(rows: number, cls: Uint8Array, rank: Uint32Array): number {
    const num = this.num;
    let last = -Infinity;
    let next = -1;
    for (let r = 0; r < rows; r++) {
      if (cls[r] !== 0) continue;
      const v = num[r];
      if (v < last) return 0;
      if (next < 0 || v !== last) next++;
      rank[r] = next;
      last = v;
    }
    return next + 1;
  }

  /** Lets go of the sort ranks (RunTable keeps a few columns' ranks, not every column's). */
  dropSortRanks(): void {
    this.sortCache = undefined;
  }

  textOf(row: number): string {
    const k = this.kind[row];
    return k === TEXT ? this.text![row] : k === TRUE ? 'true' : k === FALSE ? 'false' : k === NUMBER ? String(this.num[row]) : '';
  }
}

export class RunTable {
  private capacity: number;
  /** Rows ever used, removed ones included. */
  private rowCount = 0;
  private live = 0;
  private alive: Uint8Array;
  private byId = new Map<string, number>();
  private info = new Map<string, Column>();
  private params = new Map<string, Column>();
  private metrics = new Map<string, Column>();
  private skips: SkipReport = { runs: 0, values: 0, columns: 0, examples: [] };
  private droppedColumns = new Set<string>();
  /**
   * The names of the last summary's params and metrics and their columns: the runs of a sweep share
   * one shape, so filling a row mostly skips looking its names up.
   */
  private shapes: Record<'params' | 'metrics', { names: string[]; columns: (Column | undefined)[] }> = {
    params: { names: [], columns: [] },
    metrics: { names: [], columns: [] },
  };
  private differsCache: { version: number; differs: Map<string, boolean> } | undefined;
  /**
   * The columns holding sort ranks, least recently used first: 5 bytes a row each (4 MB a column at 100,000
   * rows), so only the last MAX_RANKED columns sorted or prepared keep theirs.
   */
  private ranked = new Set<Column>();
  private version = 0;
  /** Counts upserts, so a replaced run can tell which columns it wrote. */
  private stamp = 0;

  private constructor(capacity: number) {
    this.capacity = Math.max(16, capacity);
    this.alive = new Uint8Array(this.capacity);
    for (const key of INFO_COLUMNS) this.info.set(key, new Column(key, 'info', this.capacity));
  }

  static fromSummaries(summaries: Iterable<RunSummary>, starred?: ReadonlySet<string>): RunTable {
    const table = new RunTable(Array.isArray(summaries) ? summaries.length : 0);
    for (const s of summaries) table.upsert(s, starred !== undefined && typeof s?.id === 'string' && starred.has(s.id));
    return table;
  }

  /**
   * A table over an image's arrays, without copying them. Throws when the image does not describe a
   * table (a column key twice, an info column missing, arrays of the wrong length): a cache that says so is
   * not one to trust.
   */
  static fromImage(image: TableImage): RunTable {
    const table = new RunTable(0);
    const { rows } = image;
    const capacity = image.alive.length;
    if (rows > capacity) throw new Error('more rows than room for them');
    table.capacity = capacity;
    table.rowCount = rows;
    table.alive = image.alive;
    table.info = new Map();
    const id = image.columns[0];
    for (const c of image.columns) {
      if (c.kind.length !== capacity || c.num.length !== capacity) throw new Error(`column ${c.key}: arrays of the wrong length`);
      const group = c.group === 'info' ? table.info : c.group === 'param' ? table.params : table.metrics;
      const name = c.group === 'info' ? c.key : c.key.slice(c.group === 'param' ? 7 : 8);
      if (group.has(name) || (c.group !== 'info' && !c.key.startsWith(c.group === 'param' ? 'params.' : 'metrics.'))) throw new Error(`column ${c.key}: twice or misnamed`);
      group.set(name, Column.over(c));
    }
    if (INFO_COLUMNS.some((key) => !table.info.has(key)) || id?.key !== 'id') throw new Error('an info column is missing');
    const { byId, alive } = table;
    const ids = id.text ?? [];
    for (let r = 0; r < rows; r++) {
      if (!alive[r]) continue;
      const before = byId.size;
      if (id.kind[r] !== TEXT || byId.set(ids[r], r).size === before) throw new Error(`row ${r}: no id, or one seen before`);
    }
    table.live = table.byId.size;
    table.skips = { ...image.skips, examples: [...image.skips.examples] };
    table.droppedColumns = new Set(image.droppedColumns);
    return table;
  }

  /** The table as arrays (views of its own: valid until its next change). */
  image(): TableImage {
    const rows = this.rowCount;
    const columns: ColumnImage[] = [];
    for (const group of [this.info, this.params, this.metrics]) for (const c of group.values()) columns.push(c.image(rows));
    return { rows, alive: this.alive.subarray(0, rows), columns, skips: this.skipped(), droppedColumns: [...this.droppedColumns] };
  }

  /** The ids of the runs it holds. */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * Takes in every run of `other`, which is left empty. An empty table takes over other's columns as they
   * are (a store's first read: no copy of 100,000 × 100 cells); otherwise each run is added or replaces the
   * one with its id, keeping that one's row and star (a smaller table with no id in common goes into other first).
   */
  absorb(other: RunTable): void {
    if (other.live === 0) return;
    // A small table taking in a big one that shares none of its ids (our 100 runs as MLflow's 10,000 join)
    // copies its own rows into the big one, then takes that one whole: the cost of its rows instead of the
    // big one's (~200 ms of the extension host's main thread at 10,000 runs). Its own runs come last.
    if (this.rowCount > 0 && this.live < other.live && [...this.byId.keys()].every((id) => !other.byId.has(id))) {
      const skips = this.skips;
      this.skips = { runs: 0, values: 0, columns: 0, examples: [] };
      other.absorb(this);
      this.skips = skips;
    }
    if (this.rowCount === 0 && this.params.size + this.metrics.size === 0) {
      this.capacity = other.capacity;
      this.rowCount = other.rowCount;
      this.live = other.live;
      this.alive = other.alive;
      this.byId = other.byId;
      this.info = other.info;
      this.params = other.params;
      this.metrics = other.metrics;
      this.shapes = other.shapes;
      this.ranked = other.ranked;
      this.droppedColumns = new Set([...this.droppedColumns, ...other.droppedColumns]);
    } else {
      const columns = [...other.info.values(), ...other.params.values(), ...other.metrics.values()];
      for (const [id, from] of other.byId) {
        const existing = this.byId.get(id);
        const row = existing ?? this.addRow(id);
        if (existing !== undefined) for (const group of [this.params, this.metrics]) for (const c of group.values()) c.set(row, null);
        for (const c of columns) {
          if (existing !== undefined && c.key === 'starred') continue;
          const into = c.group === 'info' ? this.info.get(c.key) : this.columnFor(c.group === 'param' ? 'params' : 'metrics', c.key.slice(c.group === 'param' ? 7 : 8));
          into?.set(row, c.get(from));
        }
      }
      for (const key of other.droppedColumns) this.droppedColumns.add(key);
    }
    this.skips.runs += other.skips.runs;
    this.skips.values += other.skips.values;
    this.skips.columns += other.skips.columns;
    this.skips.examples.push(...other.skips.examples.slice(0, MAX_EXAMPLES - this.skips.examples.length));
    this.version++;
    other.clear();
  }

  get size(): number {
    return this.live;
  }

  /** Changes with every change to the table, so results computed from it know when they are stale. */
  get revision(): number {
    return this.version;
  }

  /** Info columns first (fixed order), then params, then metrics, each sorted by name. */
  columns(view?: ArrayLike<number>): ColumnInfo[] {
    const differs = view ? undefined : this.cachedDiffers();
    const out: ColumnInfo[] = [];
    const add = (c: Column) => {
      if (c.group !== 'info' && c.numbers + c.texts === 0) return;
      const type = c.group === 'info' ? INFO_TYPES[c.key as keyof typeof INFO_TYPES] : c.numbers && c.texts ? 'mixed' : c.texts ? 'string' : 'number';
      out.push({ key: c.key, group: c.group, type, differs: differs ? differs.get(c.key)! : this.differs(c, view!) });
    };
    for (const c of this.info.values()) add(c);
    for (const group of [this.params, this.metrics]) {
      for (const name of [...group.keys()].sort()) add(group.get(name)!);
    }
    return out;
  }

  /** Every column key a filter or sort may name: for parseFilter/parseSort's `columns`. */
  columnKeys(): Set<string> {
    return new Set(this.columns().map((c) => c.key));
  }

  select(query: { filter?: Filter; sort?: readonly SortKey[] }): Int32Array {
    const n = this.rowCount;
    const mask = query.filter ? this.evaluate(filterTree(query.filter)) : undefined;
    let count = 0;
    for (let r = 0; r < n; r++) if (this.alive[r] && (!mask || mask[r])) count++;
    const rows = new Int32Array(count);
    let i = 0;
    for (let r = 0; r < n; r++) if (this.alive[r] && (!mask || mask[r])) rows[i++] = r;
    if (query.sort?.length) this.sortRows(rows, query.sort);
    return rows;
  }

  /**
   * Computes column `key`'s sort ranks unless they are current: the part of a first sort by a column that
   * depends only on the column (~2 ms at 10,000 rows warm, 8-10 ms in a process that has not sorted numbers
   * yet). The panel does it while idle for the columns on screen, so a click on their headers only orders.
   */
  prepareSort(key: string): void {
    const c = this.column(key);
    if (c) this.ranksOf(c);
  }

  /** Cells of view[from .. from+count); rows removed since the view was made are left out. */
  rows(view: ArrayLike<number>, from: number, count: number, columns: readonly string[]): { id: string; cells: Cell[] }[] {
    const cols = columns.map((key) => this.column(key));
    const id = this.info.get('id')!;
    const out: { id: string; cells: Cell[] }[] = [];
    const end = Math.min(view.length, Math.max(0, from) + Math.max(0, count));
    for (let i = Math.max(0, from); i < end; i++) {
      const row = view[i];
      if (!(row >= 0 && row < this.rowCount && this.alive[row])) continue;
      out.push({ id: id.text![row], cells: cols.map((c) => (c ? c.get(row) : null)) });
    }
    return out;
  }

  /** Runs of consecutive positions of `view` with the same value in column `key` (groups of a sorted view). */
  runsOf(view: ArrayLike<number>, key: string): { value: Cell; start: number; count: number }[] {
    const c = this.column(key);
    if (!c || view.length === 0) return view.length ? [{ value: null, start: 0, count: view.length }] : [];
    const out: { value: Cell; start: number; count: number }[] = [];
    let start = 0;
    for (let i = 1; i <= view.length; i++) {
      if (i < view.length && c.same(view[start], view[i])) continue;
      out.push({ value: c.get(view[start]), start, count: i - start });
      start = i;
    }
    return out;
  }

  /** One run's params and metrics by name, for the compare view. */
  run(row: number): RunCells | undefined {
    if (!(row >= 0 && row < this.rowCount && this.alive[row])) return undefined;
    const pick = (group: Map<string, Column>) => {
      const out: Record<string, Cell> = {};
      for (const [name, c] of group) if (c.kind[row] !== MISSING) out[name] = c.get(row);
      return out;
    };
    const text = (key: string) => String(this.info.get(key)!.get(row) ?? '');
    return { id: text('id'), flow: text('flow'), status: text('status'), params: pick(this.params), metrics: pick(this.metrics) };
  }

  /**
   * Adds a run or replaces the one with its id, keeping its row number and its star (unless `starred` is
   * given); the revision changes only when a value did. A summary without an id is counted in skipped()
   * and returns -1.
   */
  upsert(summary: RunSummary, starred?: boolean): number {
    const s = summary as unknown as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || typeof s.id !== 'string' || s.id === '') {
      this.skip('runs', `a run summary without an id was skipped`);
      return -1;
    }
    const id = s.id;
    const existing = this.byId.get(id);
    const row = existing ?? this.addRow(id);
    if (existing !== undefined) starred ??= this.info.get('starred')!.get(row) === true;
    const stamp = ++this.stamp;
    const info = this.info;
    let changed = existing === undefined;
    const put = (key: string, value: Cell) => {
      if (info.get(key)!.set(row, value)) changed = true;
    };
    put('id', id);
    put('flow', typeof s.flow === 'string' ? s.flow : null);
    put('status', typeof s.status === 'string' ? s.status : null);
    const start = typeof s.start === 'number' && Number.isFinite(s.start) ? s.start : null;
    put('start', start);
    if (start === null) this.skip('values', `run ${id}: start time is not a number`);
    put('duration', typeof s.durationMs === 'number' ? s.durationMs : null);
    put('code', codeCell(s.code));
    put('overrides', overridesCell(s.overrides));
    put('starred', starred ?? false);
    const sweep = (s.sweep as { name?: unknown } | undefined)?.name;
    put('sweep', typeof sweep === 'string' ? sweep : null);
    // Only runs from elsewhere are labelled (read-only MLflow imports); Flowbench's own leave it empty.
    put('source', s.source === 'mlflow' ? 'mlflow' : null);
    if (this.fill(row, id, 'params', s.params, stamp, existing === undefined)) changed = true;
    if (this.fill(row, id, 'metrics', s.metrics, stamp, existing === undefined)) changed = true;
    // A replaced run loses the params and metrics it no longer has; the rest keep their sort caches.
    if (existing !== undefined) {
      for (const group of [this.params, this.metrics]) for (const c of group.values()) if (c.stamp !== stamp && c.set(row, null)) changed = true;
    }
    if (changed) this.version++;
    return row;
  }

  /** A running run's latest value of one metric (the panel's live feed); false when there is no such run. */
  setMetric(id: string, name: string, value: number): boolean {
    const row = this.byId.get(id);
    const column = row === undefined ? undefined : this.columnFor('metrics', name);
    if (row === undefined) return false;
    if (column?.set(row, value)) this.version++;
    return true;
  }

  remove(id: string): boolean {
    const row = this.byId.get(id);
    if (row === undefined) return false;
    this.clearRow(row);
    this.byId.delete(id);
    this.alive[row] = 0;
    this.live--;
    this.version++;
    return true;
  }

  rowOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  isStarred(id: string): boolean {
    const row = this.byId.get(id);
    return row !== undefined && this.info.get('starred')!.get(row) === true;
  }

  setStarred(id: string, starred: boolean): void {
    const row = this.byId.get(id);
    if (row === undefined) return;
    this.info.get('starred')!.set(row, starred);
    this.version++;
  }

  skipped(): SkipReport {
    return { ...this.skips, examples: [...this.skips.examples] };
  }

  private clear(): void {
    this.capacity = 16;
    this.rowCount = 0;
    this.live = 0;
    this.alive = new Uint8Array(this.capacity);
    this.byId = new Map();
    this.info = new Map(INFO_COLUMNS.map((key) => [key, new Column(key, 'info', this.capacity)]));
    this.params = new Map();
    this.metrics = new Map();
    this.shapes = { params: { names: [], columns: [] }, metrics: { names: [], columns: [] } };
    this.ranked = new Set();
    this.version++;
  }

  private addRow(id: string): number {
    if (this.rowCount === this.capacity) {
      this.capacity = Math.max(16, this.capacity * 2);
      const alive = new Uint8Array(this.capacity);
      alive.set(this.alive);
      this.alive = alive;
      for (const group of [this.info, this.params, this.metrics]) for (const c of group.values()) c.grow(this.capacity);
    }
    const row = this.rowCount++;
    this.alive[row] = 1;
    this.live++;
    this.byId.set(id, row);
    return row;
  }

  private clearRow(row: number): void {
    for (const group of [this.info, this.params, this.metrics]) for (const c of group.values()) c.set(row, null);
  }

  /** True when a value changed (always, for a fresh row that has any). */
  private fill(row: number, id: string, field: 'params' | 'metrics', values: unknown, stamp: number, fresh: boolean): boolean {
    if (values === undefined || values === null) return false;
    if (typeof values !== 'object' || Array.isArray(values)) {
      this.skip('values', `run ${id}: ${field} is not an object`);
      return false;
    }
    const record = values as Record<string, unknown>;
    const metrics = field === 'metrics';
    // for-in over the summary with the names of the last one: runs of a sweep have one shape (one hidden
    // class, as JSON.parse makes them), so the engine reads each value by its slot, and no array of names
    // is made per run: garbage made while 100,000 summaries are live is what made the build GC-bound.
    const { names, columns } = this.shapes[field];
    let i = 0;
    let changed = fresh;
    for (const name in record) {
      if (names[i] !== name) return this.fillReshaped(row, field, record, stamp) || changed;
      const column = columns[i++];
      if (!column) continue;
      const value = record[name];
      if (fresh) column.setNew(row, metrics && value === null ? NaN : value);
      else if (column.set(row, metrics && value === null ? NaN : toCell(value))) changed = true;
      column.stamp = stamp;
    }
    if (i !== names.length) return this.fillReshaped(row, field, record, stamp) || changed;
    return changed;
  }

  /** A summary of another shape than the last: its names' columns become the shape the next ones try. */
  private fillReshaped(row: number, field: 'params' | 'metrics', record: Record<string, unknown>, stamp: number): boolean {
    const names = Object.keys(record);
    const columns = names.map((name) => this.columnFor(field, name));
    this.shapes[field] = { names, columns };
    let changed = false;
    for (let i = 0; i < names.length; i++) {
      const column = columns[i];
      if (!column) continue;
      const value = record[names[i]];
      if (column.set(row, field === 'metrics' && value === null ? NaN : toCell(value))) changed = true;
      column.stamp = stamp;
    }
    return changed;
  }

  /** The column of a param or metric, made on first sight; undefined past MAX_COLUMNS. */
  private columnFor(field: 'params' | 'metrics', name: string): Column | undefined {
    const group = field === 'params' ? this.params : this.metrics;
    const column = group.get(name);
    if (column) return column;
    const key = `${field}.${name}`;
    if (this.params.size + this.metrics.size >= MAX_COLUMNS) {
      if (!this.droppedColumns.has(key)) {
        this.droppedColumns.add(key);
        this.skip('columns', `column ${key} and any after the first ${MAX_COLUMNS} params and metrics were left out`);
      }
      return undefined;
    }
    const made = new Column(key, field === 'params' ? 'param' : 'metric', this.capacity);
    group.set(name, made);
    return made;
  }

  private skip(what: 'runs' | 'values' | 'columns', example: string): void {
    this.skips[what]++;
    if (this.skips.examples.length < MAX_EXAMPLES) this.skips.examples.push(example);
  }

  private ranksOf(c: Column): SortRanks {
    const ranks = c.sortRanks(this.rowCount);
    this.ranked.delete(c);
    this.ranked.add(c);
    for (const oldest of this.ranked) {
      if (this.ranked.size <= MAX_RANKED) break;
      this.ranked.delete(oldest);
      oldest.dropSortRanks();
    }
    return ranks;
  }

  private column(key: string): Column | undefined {
    const info = this.info.get(key);
    if (info) return info;
    if (key.startsWith('params.')) return this.params.get(key.slice(7));
    if (key.startsWith('metrics.')) return this.metrics.get(key.slice(8));
    return undefined;
  }

  private cachedDiffers(): Map<string, boolean> {
    if (this.differsCache?.version === this.version) return this.differsCache.differs;
    const all = new Int32Array(this.live);
    let i = 0;
    for (let r = 0; r < this.rowCount; r++) if (this.alive[r]) all[i++] = r;
    const differs = new Map<string, boolean>();
    for (const group of [this.info, this.params, this.metrics]) for (const c of group.values()) differs.set(c.key, this.differs(c, all));
    this.differsCache = { version: this.version, differs };
    return differs;
  }

  private differs(c: Column, view: ArrayLike<number>): boolean {
    let first = -1;
    for (let i = 0; i < view.length; i++) {
      const row = view[i];
      if (!this.alive[row]) continue;
      if (first < 0) first = row;
      else if (!c.same(first, row)) return true;
    }
    return false;
  }

  private evaluate(node: FilterNode): Uint8Array {
    const n = this.rowCount;
    switch (node.type) {
      case 'and':
      case 'or': {
        const a = this.evaluate(node.operands[0]);
        for (let i = 1; i < node.operands.length; i++) {
          const b = this.evaluate(node.operands[i]);
          if (node.type === 'and') for (let r = 0; r < n; r++) a[r] &= b[r];
          else for (let r = 0; r < n; r++) a[r] |= b[r];
        }
        return a;
      }
      case 'not': {
        const a = this.evaluate(node.operand);
        for (let r = 0; r < n; r++) a[r] ^= 1;
        return a;
      }
      case 'compare': {
        const mask = new Uint8Array(n);
        const c = this.column(node.column);
        if (!c) return mask.fill(matches(MISSING, 0, '', node.op, node.value) ? 1 : 0);
        if (fastCompare(c, node.op, node.value, mask, n)) return mask;
        const lower = node.value.kind === 'null' ? '' : node.value.text.toLowerCase();
        for (let r = 0; r < n; r++) {
          const k = c.kind[r];
          mask[r] = matches(k, c.num[r], k === TEXT ? c.text![r] : k === TRUE ? 'true' : k === FALSE ? 'false' : '', node.op, node.value, lower) ? 1 : 0;
        }
        return mask;
      }
    }
  }

  /**
   * Stable counting sorts by each key's ranks, the last key first, over rows in row order: the order is
   * lexicographic over the keys with ties in row order, in O(rows) per key. Sorting an Int32Array through
   * a comparator reading the columns took 61 ms of CPU for one numeric key at 100,000 rows, this 2.4 ms.
   */
  private sortRows(rows: Int32Array, keys: readonly SortKey[]): void {
    const usable = keys.map((k) => ({ k, c: this.column(k.column) })).filter((x) => x.c !== undefined);
    if (usable.length === 0 || rows.length < 2) return;
    const n = rows.length;
    let from: Int32Array = rows;
    let to: Int32Array = new Int32Array(n);
    const keyOf = new Uint32Array(n);
    for (let k = usable.length - 1; k >= 0; k--) {
      const { cls, rank, distinct } = this.ranksOf(usable[k].c!);
      const descending = usable[k].k.descending;
      // Where each class starts among the keys: numbers, text, NaN, missing, in either direction.
      const base = [0, distinct[0], distinct[0] + distinct[1], distinct[0] + distinct[1] + 1];
      const count = new Uint32Array(base[3] + 2);
      for (let i = 0; i < n; i++) {
        const row = from[i];
        const c = cls[row];
        const key = base[c] + (descending && c < 2 ? distinct[c] - 1 - rank[row] : rank[row]);
        keyOf[i] = key;
        count[key + 1]++;
      }
      for (let i = 1; i < count.length; i++) count[i] += count[i - 1];
      for (let i = 0; i < n; i++) to[count[keyOf[i]]++] = from[i];
      const done = to;
      to = from;
      from = done;
    }
    if (from !== rows) rows.set(from);
  }
}

/** One line for a status bar or stderr, or undefined when nothing was skipped. */
export function describeSkipped(report: SkipReport): string | undefined {
  const parts: string[] = [];
  const n = (count: number, one: string, many: string) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
  if (report.runs) parts.push(n(report.runs, 'unreadable run', 'unreadable runs'));
  if (report.values) parts.push(n(report.values, 'unreadable value', 'unreadable values'));
  if (report.columns) parts.push(n(report.columns, `column beyond the first ${MAX_COLUMNS.toLocaleString('en-US')}`, `columns beyond the first ${MAX_COLUMNS.toLocaleString('en-US')}`));
  return parts.length ? `skipped ${parts.join(', ')} (${report.examples[0]}${report.examples.length > 1 ? ', …' : ''})` : undefined;
}

/**
 * The comparisons filters mostly are (a number against a bound, text equal to a word) as one tight loop
 * over the column, with what `matches` answers for them; false for the rest, which go through `matches`.
 */
function fastCompare(c: Column, op: CompareOp, lit: Literal, mask: Uint8Array, n: number): boolean {
  const { kind, num } = c;
  if (lit.kind === 'number' && (op === '<' || op === '<=' || op === '>' || op === '>=')) {
    const v = lit.value;
    if (op === '<') for (let r = 0; r < n; r++) mask[r] = kind[r] === NUMBER && num[r] < v ? 1 : 0;
    else if (op === '<=') for (let r = 0; r < n; r++) mask[r] = kind[r] === NUMBER && num[r] <= v ? 1 : 0;
    else if (op === '>') for (let r = 0; r < n; r++) mask[r] = kind[r] === NUMBER && num[r] > v ? 1 : 0;
    else for (let r = 0; r < n; r++) mask[r] = kind[r] === NUMBER && num[r] >= v ? 1 : 0;
    return true;
  }
  if (lit.kind === 'string' && op === '=') {
    const text = c.text;
    const word = lit.text;
    const bool = word === 'true' ? TRUE : word === 'false' ? FALSE : -1;
    for (let r = 0; r < n; r++) {
      const k = kind[r];
      mask[r] = (k === TEXT && text![r] === word) || k === bool ? 1 : 0;
    }
    return true;
  }
  return false;
}

function matches(kind: number, num: number, text: string, op: CompareOp, lit: Literal, lower = ''): boolean {
  if (op === '!=') return !matches(kind, num, text, '=', lit, lower);
  if (op === '!~') return !matches(kind, num, text, '~', lit, lower);
  if (kind === MISSING) return op === '=' && lit.kind === 'null';
  if (lit.kind === 'null') return false;
  if (op === '~') return (kind === NUMBER ? String(num) : text).toLowerCase().includes(lower);
  if (kind === NUMBER) {
    if (lit.kind !== 'number') return false;
    const n = lit.value;
    switch (op) {
      case '=': return num === n || (num !== num && n !== n);
      case '<': return num < n;
      case '<=': return num <= n;
      case '>': return num > n;
      default: return num >= n;
    }
  }
  if (op === '=') return text === lit.text;
  if (lit.kind === 'number') return false;
  switch (op) {
    case '<': return text < lit.text;
    case '<=': return text <= lit.text;
    case '>': return text > lit.text;
    default: return text >= lit.text;
  }
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return JSON.stringify(value) ?? null;
}

/** The commit, marked `-dirty` when the tree had changes (as `git describe --dirty` does). */
function codeCell(code: unknown): Cell {
  if (typeof code !== 'object' || code === null) return null;
  const { commit, dirty } = code as { commit?: unknown; dirty?: unknown };
  const base = typeof commit === 'string' ? commit : '';
  return dirty === true ? (base ? `${base}-dirty` : 'dirty') : base || null;
}

/** Without making the arrays Object.entries would (most runs override nothing). */
function isEmpty(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

/** `name=value` pairs as `--set` takes them, sorted by name. */
function overridesCell(overrides: unknown): Cell {
  if (typeof overrides !== 'object' || overrides === null || isEmpty(overrides)) return null;
  const entries = Object.entries(overrides).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return null;
  return entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}
