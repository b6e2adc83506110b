// The runs table: an ARIA grid virtualized in both directions (TanStack Virtual), with its column model
// (order, visibility, sizes, pinning, resizing) kept by TanStack Table. Rows come from the host window by
// window (see row-cache.ts); this component only renders what is on screen.
//
// What keeps it fast (measured with Chromium traces, see webviews/README.md "Rendering"): rows are memoized
// components keyed by slot (their result position modulo the rows rendered), so scrolling renders only the rows
// coming into view, into the elements of the rows that left, and a new sort or filter rewrites the text of the
// rows on screen instead of replacing their elements (those beyond the screen once that is painted); a row is one
// absolutely placed, fixed-height, `contain: layout style size` box moved by a transform; cells carry no inline style
// (a row is a flex box of fixed-width cells, sized by one stylesheet's rules by child index, placementRules); the
// per-row checkbox and star are not natively painted controls; only the active row has an id; the pinned cells of a row sit
// in one box that follows the horizontal scroll (see followHorizontalScroll); a cell clips only when its text may
// not fit (mayOverflow); the lines rendered beyond the screen lie ahead of a scroll (leadingRange); the full value of a cell becomes its tooltip only when the pointer reaches it.
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnPinningState,
  type ColumnSizingState,
  type Header,
  type VisibilityState,
} from '@tanstack/react-table';
import { useVirtualizer, type Range, type Virtualizer } from '@tanstack/react-virtual';
import { memo, startTransition, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { onKeys } from '../platform/keyboard';
import type { ColumnInfo, Row, SortKey, ViewState, WireCell } from './contract';
import { columnLabel, formatCell, fullValue, mayOverflow } from './format';
import { leadingRange, type Lines } from './layout';

export const ROW_HEIGHT = 24;
/** Lines rendered beyond the screen, twice this in all (see leadingRange). */
const OVERSCAN = 10;
const DEFAULT_WIDTH: Record<string, number> = { starred: 34, id: 170, flow: 120, status: 90, start: 160, duration: 80, code: 100, overrides: 200 };
const SELECT_WIDTH = 30;

export interface TableProps {
  columns: ColumnInfo[];
  state: ViewState;
  update(fn: (s: ViewState) => ViewState): void;
  lines: Lines;
  total: number;
  /** The host's result version the rows belong to (on the grid as data-version, for tests and benchmarks). */
  version: number;
  /** Cached row at a result position, or undefined while it is being fetched. */
  rowAt(position: number): Row | undefined;
  /** The visible range of positions or the columns on screen changed: fetch what is missing. */
  onVisible(from: number, to: number, columns: readonly string[]): void;
  /** Column keys whose cells `rowAt` rows carry, in that order. */
  cellColumns: readonly string[];
  selected: ReadonlySet<string>;
  active: number;
  setActive(position: number): void;
  toggleSelected(id: string): void;
  selectRange(from: number, to: number): void;
  clearSelection(): void;
  onStar(id: string, starred: boolean): void;
  /** Row keyboard shortcuts (l, r, m, o, Mod+c, Delete) for the active row. */
  rowKeys: Record<string, (id: string) => void>;
}

/** The visible, ordered column keys for a view state (what rows are fetched with). */
export function visibleColumns(columns: readonly ColumnInfo[], state: ViewState): string[] {
  const known = new Map(columns.map((c) => [c.key, c]));
  const ordered = [...state.order.filter((k) => known.has(k)), ...columns.map((c) => c.key).filter((k) => !state.order.includes(k))];
  const pinned = state.pinned.filter((k) => known.has(k));
  const shown = (key: string) => !state.hidden.includes(key) && !(state.onlyDiffering && known.get(key)!.group !== 'info' && !known.get(key)!.differs);
  return [...pinned, ...ordered.filter((k) => !pinned.includes(k))].filter(shown);
}

const widthOf = (key: string, state: ViewState) => state.widths[key] ?? DEFAULT_WIDTH[key] ?? 110;

/** The columns a table `width` pixels wide shows first (before it has measured itself): the pinned ones, then
 *  as many of the others as fit, and two more, as the column virtualizer's overscan does. */
export function columnsInView(shown: readonly string[], state: ViewState, width: number): string[] {
  const pinned = shown.filter((key) => state.pinned.includes(key));
  let left = width - SELECT_WIDTH - pinned.reduce((sum, key) => sum + widthOf(key, state), 0);
  const center: string[] = [];
  let extra = 2;
  for (const key of shown) {
    if (pinned.includes(key)) continue;
    if (left <= 0 && extra-- <= 0) break;
    center.push(key);
    left -= widthOf(key, state);
  }
  return [...pinned, ...center];
}

function sortIndicator(sort: readonly SortKey[], key: string): string {
  const at = sort.findIndex((k) => k.column === key);
  if (at < 0) return '';
  return `${sort[at]!.descending ? '▼' : '▲'}${sort.length > 1 ? at + 1 : ''}`;
}

/** Click sorts by the column (again: reverses); Shift adds it as the next key (again: reverses, then drops). */
export function nextSort(sort: readonly SortKey[], column: string, additive: boolean): SortKey[] {
  const at = sort.findIndex((k) => k.column === column);
  if (!additive) return [{ column, descending: at === 0 && sort.length === 1 ? !sort[0]!.descending : false }];
  if (at < 0) return [...sort, { column, descending: false }];
  if (!sort[at]!.descending) return sort.map((k, i) => (i === at ? { ...k, descending: true } : k));
  return sort.filter((_, i) => i !== at);
}

function moveColumn(order: readonly string[], key: string, delta: number): string[] {
  const from = order.indexOf(key);
  const to = Math.max(0, Math.min(order.length - 1, from + delta));
  const next = order.filter((k) => k !== key);
  next.splice(to, 0, key);
  return next;
}

/** The columns a row draws: the pinned ones, then the window of the others on screen. One object per layout,
 *  so rows that keep theirs skip rendering. */
interface RowColumns {
  pinned: readonly string[];
  center: readonly string[];
  /** Index of a column's value in `Row.cells`. */
  cellIndex: ReadonlyMap<string, number>;
  /** The width a column's cell has for its text, in em (see mayOverflow). */
  room: ReadonlyMap<string, number>;
  width: number;
}

const CELL_PADDING = 12;

/** A column `width` pixels wide as the em its cells' text has. */
function roomOf(width: number): number {
  return (width - CELL_PADDING) / fontSize();
}

let fontPx: number | undefined;
function fontSize(): number {
  fontPx ??= parseFloat(getComputedStyle(document.body).fontSize) || 13;
  return fontPx;
}

/** What a row calls back into; one stable object, so rows do not re-render for new closures. */
interface RowHandlers {
  toggleSelected(id: string): void;
  onStar(id: string, starred: boolean): void;
}

function cellText(key: string, value: WireCell | undefined): string {
  return value === undefined ? '' : formatCell(key, value);
}

function cellClass(key: string, value: WireCell | undefined, clip: boolean): string {
  return `xp-cell${typeof value === 'number' || (typeof value === 'object' && value !== null) ? ' num' : ''}${key === 'status' ? ` status-${String(value)}` : ''}${clip ? ' clip' : ''}`;
}

interface RowProps {
  row: Row | undefined;
  position: number;
  top: number;
  selected: boolean;
  active: boolean;
  columns: RowColumns;
  handlers: RowHandlers;
}

const RunRow = memo(function RunRow({ row, position, top, selected, active, columns, handlers }: RowProps) {
  const valueOf = (key: string) => (row ? row.cells[columns.cellIndex.get(key) ?? -1] : undefined);
  const cell = (key: string) => {
    const value = valueOf(key);
    if (key !== 'starred') {
      const text = cellText(key, value);
      return (
        <div key={key} role="gridcell" className={cellClass(key, value, mayOverflow(text, columns.room.get(key) ?? 0))}>
          {text}
        </div>
      );
    }
    const starred = value === true;
    return (
      <div key={key} role="gridcell" className="xp-cell xp-star">
        {row && (
          // A span with the button role, not a <button>: a form control per row was a tenth of a scroll frame's
          // layout and paint. It is never tabbed to (S stars the active row), so it needs no keyboard of its own.
          <span
            role="button"
            className={`xp-star-button${starred ? ' on' : ''}`}
            aria-pressed={starred}
            aria-label={starred ? `Unstar run ${row.id}` : `Star run ${row.id}`}
            onClick={(event) => {
              event.stopPropagation();
              handlers.onStar(row.id, !starred);
            }}
          >
            {starred ? '★' : '☆'}
          </span>
        )}
      </div>
    );
  };
  return (
    <div
      // Only the active row needs an id (the grid's aria-activedescendant): one attribute less to rewrite per row
      // a scroll brings in.
      id={row && active ? `run-${row.id}` : undefined}
      role="row"
      aria-rowindex={position + 2}
      aria-selected={selected}
      data-position={position}
      data-run={row?.id}
      data-vscode-context={row ? JSON.stringify({ webviewSection: 'run', runId: row.id, preventDefaultContextMenuItems: true }) : undefined}
      className={`xp-row${selected ? ' selected' : ''}${active ? ' active' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
    >
      <div className="xp-pin" role="presentation">
        <div role="gridcell" className="xp-cell xp-select">
          {row && (
            <input
              type="checkbox"
              tabIndex={-1}
              checked={selected}
              aria-label={`Select run ${row.id} for comparison`}
              onClick={(event) => event.stopPropagation()}
              onChange={() => handlers.toggleSelected(row.id)}
            />
          )}
        </div>
        {columns.pinned.map(cell)}
      </div>
      {columns.center.map(cell)}
    </div>
  );
});

interface HeaderProps {
  pinned: readonly Header<Row, unknown>[];
  center: readonly Header<Row, unknown>[];
  info: ReadonlyMap<string, ColumnInfo>;
  sort: readonly SortKey[];
  shown: readonly string[];
  selectedCount: number;
  width: number;
  update(fn: (s: ViewState) => ViewState): void;
  /** Changes when a column is resized, so the memo lets a resize through. */
  sizes: string;
}

const HeaderRow = memo(function HeaderRow({ pinned, center, info, sort, shown, selectedCount, width, update }: HeaderProps) {
  const dragged = useRef<string>();
  const headerCell = (header: Header<Row, unknown>) => {
    const key = header.column.id;
    const c = info.get(key);
    const at = sort.findIndex((k) => k.column === key);
    const ariaSort = at === 0 ? (sort[0]!.descending ? 'descending' : 'ascending') : undefined;
    const sortBy = (additive: boolean) => update((s) => ({ ...s, sort: nextSort(s.sort, key, additive) }));
    const reorder = (delta: number) => update((s) => ({ ...s, order: moveColumn(shown, key, delta) }));
    const resize = (delta: number) => update((s) => ({ ...s, widths: { ...s.widths, [key]: Math.max(30, header.getSize() + delta) } }));
    const togglePin = () => update((s) => ({ ...s, pinned: s.pinned.includes(key) ? s.pinned.filter((k) => k !== key) : [...s.pinned, key] }));
    const hide = () => update((s) => ({ ...s, hidden: [...s.hidden, key] }));
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      const from = dragged.current;
      if (!from || from === key) return;
      update((s) => ({ ...s, order: moveColumn(shown, from, shown.indexOf(key) - shown.indexOf(from)) }));
    };
    return (
      <div
        key={key}
        role="columnheader"
        aria-sort={ariaSort}
        className={`xp-cell xp-head xp-${c?.group ?? 'info'}${header.column.getIsPinned() ? ' pinned' : ''}`}
        draggable
        onDragStart={() => (dragged.current = key)}
        onDragOver={(event) => event.preventDefault()}
        onDrop={onDrop}
      >
        <button
          type="button"
          className="fb-plain xp-head-button"
          data-column={key}
          aria-label={`${key}${at >= 0 ? `, sorted ${sort[at]!.descending ? 'descending' : 'ascending'}` : ''}. Enter sorts, Shift+Enter adds to the sort, Alt+arrows move, Ctrl+arrows resize, P pins, H hides`}
          title={`${key} (${c?.type ?? ''})${c && !c.differs ? ' — same in every run' : ''}`}
          onClick={(event) => sortBy(event.shiftKey)}
          onKeyDown={onKeys({
            'Shift+Enter': () => sortBy(true),
            'Alt+ArrowLeft': () => reorder(-1),
            'Alt+ArrowRight': () => reorder(1),
            'Mod+ArrowLeft': () => resize(-20),
            'Mod+ArrowRight': () => resize(20),
            p: togglePin,
            h: hide,
          })}
        >
          <span className="xp-head-label">{columnLabel(key)}</span>
          <span className="xp-sort" aria-hidden="true">
            {sortIndicator(sort, key)}
          </span>
        </button>
        <div
          className={`xp-resizer${header.column.getIsResizing() ? ' resizing' : ''}`}
          aria-hidden="true"
          onMouseDown={header.getResizeHandler()}
          onDoubleClick={() => update((s) => ({ ...s, widths: Object.fromEntries(Object.entries(s.widths).filter(([k]) => k !== key)) }))}
        />
      </div>
    );
  };
  return (
    <div role="row" aria-rowindex={1} className="xp-row xp-header" style={{ width }}>
      <div className="xp-pin" role="presentation">
        <div role="columnheader" className="xp-cell xp-select" aria-label="Selected for comparison">
          {selectedCount > 0 ? selectedCount : ''}
        </div>
        {pinned.map(headerCell)}
      </div>
      {center.map(headerCell)}
    </div>
  );
});

/** Where a cell element's value is: its row's position and its column key (for the lazy tooltip). */
function cellAt(target: HTMLElement, columns: RowColumns): { position: number; key: string } | undefined {
  const cell = target.closest<HTMLElement>('[role=gridcell]');
  const row = cell?.closest<HTMLElement>('[data-position]');
  if (!cell || !row) return undefined;
  const parent = cell.parentElement!;
  const index = Array.prototype.indexOf.call(parent.children, cell) as number;
  // Pinned box: the select cell, then the pinned columns. The row itself: the pinned box, then the others.
  const key = parent.classList.contains('xp-pin') ? columns.pinned[index - 1] : columns.center[index - 1];
  return key === undefined ? undefined : { position: Number(row.dataset.position), key };
}

export function RunsTable(props: TableProps) {
  const { columns, state, update, lines, total, rowAt, selected, active } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const info = useMemo(() => new Map(columns.map((c) => [c.key, c])), [columns]);
  const shown = props.cellColumns;

  const defs = useMemo<ColumnDef<Row>[]>(
    () => columns.map((c) => ({ id: c.key, header: columnLabel(c.key), size: DEFAULT_WIDTH[c.key] ?? 110, minSize: 30, maxSize: 1200 })),
    [columns],
  );
  const visibility = useMemo<VisibilityState>(() => Object.fromEntries(columns.map((c) => [c.key, shown.includes(c.key)])), [columns, shown]);
  const pinning = useMemo<ColumnPinningState>(() => ({ left: state.pinned.filter((k) => info.has(k)), right: [] }), [state.pinned, info]);
  const tableState = useMemo(
    () => ({ columnOrder: shown as string[], columnVisibility: visibility, columnPinning: pinning, columnSizing: state.widths as ColumnSizingState }),
    [shown, visibility, pinning, state.widths],
  );
  const table = useReactTable<Row>({
    data: NO_DATA,
    columns: defs,
    getCoreRowModel: CORE_ROW_MODEL,
    columnResizeMode: 'onChange',
    state: tableState,
    onColumnSizingChange: (fn) => update((s) => ({ ...s, widths: typeof fn === 'function' ? fn(s.widths) : fn })),
  });
  const left = table.getLeftHeaderGroups()[0]?.headers ?? NO_HEADERS;
  const center = table.getCenterHeaderGroups()[0]?.headers ?? NO_HEADERS;
  // getSize walks a header's sub-headers: once per layout, not once per scroll frame.
  const leftSizes = useMemo(() => left.map((h) => h.getSize()), [left, state.widths]); // eslint-disable-line react-hooks/exhaustive-deps
  const centerSizes = useMemo(() => center.map((h) => h.getSize()), [center, state.widths]); // eslint-disable-line react-hooks/exhaustive-deps
  const pinnedWidth = SELECT_WIDTH + leftSizes.reduce((sum, w) => sum + w, 0);
  const centerWidth = centerSizes.reduce((sum, w) => sum + w, 0);
  const width = pinnedWidth + centerWidth;

  // useFlushSync: false lets React batch the re-render a scroll event asks for into the next frame instead of
  // rendering synchronously inside every scroll event (measured: most of the frame time while scrolling).
  // initialRect: the first render (before the grid is measured) already has rows to paint, a frame sooner.
  // The lines beyond the screen lie ahead of the scroll (see leadingRange); the virtualizer says which way.
  // The first paint renders only the lines and columns on screen; those beyond it, which only a scroll needs,
  // come once it is painted (measured: the overscan was ~40% of the first rows' render, layout and paint).
  const painted = usePainted(props.version);
  const overscanning = painted !== undefined;
  const direction = useRef<() => Virtualizer<HTMLDivElement, Element>['scrollDirection']>(() => null);
  const extractRange = useCallback((range: Range) => leadingRange(range, direction.current()), []);
  const rows = useVirtualizer({
    count: lines.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: overscanning ? OVERSCAN : 0,
    rangeExtractor: extractRange,
    useFlushSync: false,
    initialRect: INITIAL_RECT,
  });
  direction.current = () => rows.scrollDirection;
  const cols = useVirtualizer({
    horizontal: true,
    useFlushSync: false,
    initialRect: INITIAL_RECT,
    count: center.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => centerSizes[i] ?? 110,
    overscan: overscanning ? 2 : 0,
  });
  // Widths change with resizing and layout: the column virtualizer measures again.
  const widthsKey = centerSizes.join(',');
  useEffect(() => cols.measure(), [widthsKey]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => followHorizontalScroll(scrollRef.current!), []);

  const items = rows.getVirtualItems();
  const colItems = cols.getVirtualItems();
  const firstCol = colItems[0]?.index ?? 0;
  const lastCol = colItems[colItems.length - 1]?.index ?? -1;
  const placesKey = colItems.map((c) => `${c.index}:${c.start}`).join(',');
  const sizesKey = `${leftSizes.join(',')}|${widthsKey}`;
  const visibleCenter = useMemo(() => center.slice(firstCol, lastCol + 1), [center, firstCol, lastCol]);
  const cellIndex = useMemo(() => new Map(shown.map((key, i) => [key, i])), [shown]);
  const room = useMemo(
    () => new Map([...left.map((h, i) => [h.column.id, roomOf(leftSizes[i]!)] as const), ...center.map((h, i) => [h.column.id, roomOf(centerSizes[i]!)] as const)]),
    [left, center, leftSizes, centerSizes],
  );
  const rowColumns = useMemo<RowColumns>(
    () => ({ pinned: left.map((h) => h.column.id), center: visibleCenter.map((h) => h.column.id), cellIndex, room, width }),
    [left, visibleCenter, cellIndex, room, width],
  );
  // Where every cell sits, as rules of one stylesheet (cells carry no style of their own), set before paint.
  const cellRules = useMemo(
    () => placementRules(leftSizes, colItems.map((c) => [pinnedWidth + c.start, centerSizes[c.index] ?? c.size] as const), width),
    [sizesKey, placesKey, pinnedWidth, width], // eslint-disable-line react-hooks/exhaustive-deps
  );
  useLayoutEffect(() => cellSheet.replaceSync(cellRules), [cellRules]);

  // Rows are keyed by slot (line modulo the number of lines rendered), so a line leaving the window hands its
  // elements to the one coming in at the other end, which has the same slot: scrolling rewrites text in place
  // instead of creating and styling new elements. (A modulus above the count would give incoming lines slots
  // nobody holds: measured, every scroll frame then unmounted and mounted the rows that moved.)
  const slots = Math.max(1, items.length);
  // Children in slot order, not line order: a scroll then keeps every element where it is in the DOM (in line
  // order the keys rotate, and React moves the nodes of the rows that wrapped around). aria-rowindex gives
  // assistive technology the order.
  const bySlot = useMemo(() => {
    const out = new Array<(typeof items)[number]>(slots);
    for (const item of items) out[item.index % slots] = item;
    return out.filter(Boolean);
  }, [items, slots]);
  // A new result (a sort, a filter) rewrites the lines on screen first; the lines beyond it keep what they
  // showed (their slot's last props) until that is painted, then take the result too: they are there only for
  // a scroll to find. Measured at 10,000 runs: they were ~40% of the rows a sort re-rendered, laid out and
  // painted.
  const onScreenLines = painted === props.version ? undefined : rows.range;
  /** The props each slot's row was last committed with, and those of this render. */
  const shownRows = useRef(new Map<number, RowProps>());
  const rendered = new Map<number, RowProps>();
  useLayoutEffect(() => void (shownRows.current = rendered));
  const firstLine = items[0]?.index ?? 0;
  const lastLine = items[items.length - 1]?.index ?? -1;
  // The 2-D window the rows are fetched for: the lines on screen × the pinned columns and those on screen
  // (with the star, which the S key reads).
  const onScreen = useMemo(() => {
    const keys = [...rowColumns.pinned, ...rowColumns.center];
    return cellIndex.has('starred') && !keys.includes('starred') ? [...keys, 'starred'] : keys;
  }, [rowColumns, cellIndex]);
  useEffect(() => {
    if (lastLine < 0) return;
    const from = positionAtOrAfter(lines, firstLine);
    const to = positionAtOrAfter(lines, lastLine + 1);
    props.onVisible(from, Math.max(from, to), onScreen);
  }, [firstLine, lastLine, lines, total, onScreen]); // eslint-disable-line react-hooks/exhaustive-deps

  // The active row stays on screen as the keyboard moves it.
  useEffect(() => {
    if (active >= 0 && active < total) rows.scrollToIndex(lines.lineOf(active), { align: 'auto' });
  }, [active]); // eslint-disable-line react-hooks/exhaustive-deps

  // Rows get one handler object for their lifetime; it calls whatever the latest props say.
  const latest = useRef(props);
  latest.current = props;
  const handlers = useMemo<RowHandlers>(
    () => ({ toggleSelected: (id) => latest.current.toggleSelected(id), onStar: (id, starred) => latest.current.onStar(id, starred) }),
    [],
  );

  const activeRow = rowAt(active);
  const move = (position: number, extend: boolean) => {
    const next = Math.max(0, Math.min(total - 1, position));
    if (extend) props.selectRange(Math.min(active, next), Math.max(active, next) + 1);
    props.setActive(next);
  };
  const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 480) / ROW_HEIGHT) - 2);
  const withActive = (fn: (id: string) => void) => () => activeRow && fn(activeRow.id);
  const onGridKey = onKeys({
    ArrowDown: () => move(active + 1, false),
    ArrowUp: () => move(active - 1, false),
    'Shift+ArrowDown': () => move(active + 1, true),
    'Shift+ArrowUp': () => move(active - 1, true),
    PageDown: () => move(active + page, false),
    PageUp: () => move(active - page, false),
    Home: () => move(0, false),
    End: () => move(total - 1, false),
    ' ': withActive(props.toggleSelected),
    Escape: () => props.clearSelection(),
    s: withActive((id) => props.onStar(id, !activeRow?.cells[cellIndex.get('starred') ?? -1])),
    ...Object.fromEntries(Object.entries(props.rowKeys).map(([key, fn]) => [key, withActive(fn)])),
  });

  // One click handler for every row (rows stay free of per-render closures).
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const el = (event.target as HTMLElement).closest<HTMLElement>('[role=row][data-run]');
    if (!el) return;
    const position = Number(el.dataset.position);
    const id = el.dataset.run!;
    if (event.shiftKey) props.selectRange(Math.min(active, position), Math.max(active, position) + 1);
    else if (event.ctrlKey || event.metaKey) props.toggleSelected(id);
    props.setActive(position);
  };
  // A cell's full value (numbers are shown to four digits) as its tooltip, set when the pointer gets there.
  const onMouseOver = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (!target.classList.contains('xp-cell')) return;
    // Looked up each time: a recycled row's cell may have shown another run's value when its title was set.
    const at = cellAt(target, rowColumns);
    const value = at && rowAt(at.position)?.cells[cellIndex.get(at.key) ?? -1];
    const title = value === undefined || value === null ? '' : fullValue(value);
    if (target.title !== title) target.title = title;
  };

  return (
    <div
      ref={scrollRef}
      className="xp-grid"
      data-version={props.version}
      role="grid"
      aria-label={`Runs: ${total} shown`}
      aria-rowcount={total + 1}
      aria-colcount={shown.length + 1}
      aria-multiselectable="true"
      aria-activedescendant={activeRow ? `run-${activeRow.id}` : undefined}
      tabIndex={0}
      onClick={onClick}
      onMouseOver={onMouseOver}
      onKeyDown={(event: KeyboardEvent<HTMLDivElement>) => {
        if (event.target === event.currentTarget) onGridKey(event);
      }}
    >
      <div className="xp-canvas" style={{ height: rows.getTotalSize() + ROW_HEIGHT, width }}>
        <HeaderRow pinned={left} center={visibleCenter} info={info} sort={state.sort} shown={shown} selectedCount={selected.size} width={width} update={update} sizes={sizesKey} />
        {bySlot.map((item) => {
          const line = lines.at(item.index);
          const top = item.start + ROW_HEIGHT;
          if (line.kind === 'group') {
            return (
              <div key={`g${item.index % slots}`} role="row" className="xp-row xp-group" style={{ transform: `translateY(${top}px)` }}>
                <div role="gridcell" className="xp-group-label" aria-colspan={shown.length + 1}>
                  {line.group.flow} <span className="fb-muted">· {line.group.count} runs</span>
                </div>
              </div>
            );
          }
          const position = line.position;
          const row = rowAt(position);
          const slot = item.index % slots;
          const offScreen = onScreenLines && (item.index < onScreenLines.startIndex || item.index > onScreenLines.endIndex);
          const rowProps = (offScreen && shownRows.current.get(slot)) || {
            row,
            position,
            top,
            selected: row ? selected.has(row.id) : false,
            active: position === active,
            columns: rowColumns,
            handlers,
          };
          rendered.set(slot, rowProps);
          return <RunRow key={slot} {...rowProps} />;
        })}
      </div>
    </div>
  );
}

const INITIAL_RECT = { width: window.innerWidth, height: window.innerHeight };

// A row is a flex box of fixed-width cells, not a CSS grid: grid layout of every row whose text changed (7 rows a
// scroll frame, every row on screen at a sort) was most of the frame's layout (measured with traces: layout CPU
// per 7-row scroll frame 4.6 → 3.1 ms). Not absolutely placed cells either: each would be a paint layer of its own
// (layerize and paint went up by what layout saved). The widths are rules of one adopted stylesheet, by child
// index, rewritten when the column layout changes (a resize, a horizontal scroll past a column).
const cellSheet = new CSSStyleSheet();
document.adoptedStyleSheets = [...document.adoptedStyleSheets, cellSheet];

/** The rules sizing the pinned cells (after the select cell) and placing the centre cells on screen, given as
 *  `[left, width]` in row coordinates (contiguous), in a row `width` pixels wide. */
export function placementRules(pinned: readonly number[], center: readonly (readonly [number, number])[], width: number): string {
  const rules = [`.xp-canvas > .xp-row { width: ${width}px; }`, `.xp-pin > .xp-cell:nth-child(1) { width: ${SELECT_WIDTH}px; }`];
  let x = SELECT_WIDTH;
  pinned.forEach((w, i) => {
    rules.push(`.xp-pin > .xp-cell:nth-child(${i + 2}) { width: ${w}px; }`);
    x += w;
  });
  rules.push(`.xp-pin { width: ${x}px; }`);
  center.forEach(([left, w], i) => rules.push(`.xp-row > .xp-cell:nth-child(${i + 2}) { width: ${w}px;${i === 0 ? ` margin-left: ${left - x}px;` : ''} }`));
  return rules.join('\n');
}

/** The last result version whose render has been painted; undefined until the first render is. */
function usePainted(version: number): number | undefined {
  const [painted, setPainted] = useState<number>();
  useEffect(() => {
    // A timer set in an animation frame fires after that frame's paint. What the painted version brings (the lines
    // beyond the screen) renders as a transition, in slices between frames, so it does not hold the next one.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => startTransition(() => setPainted(version)))));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [version]);
  return painted;
}

// The pinned cells of the body rows (and the group labels) are not `position: sticky`: in a composited
// scroller every sticky box is a compositor layer, and every row painted over one another (measured: 150
// layers for 50 rows; layerize, commit and software draw of those were most of a scroll frame). They follow the
// horizontal scroll by one transform in one rule instead, which invalidates only them, and only when scrollLeft
// changes; a vertical scroll touches nothing of it. (The header row stays sticky: one box.)
const pinShift = new CSSStyleSheet();
pinShift.replaceSync('.xp-row[data-position] > .xp-pin, .xp-group-label { transform: translateX(0px); }');
document.adoptedStyleSheets = [...document.adoptedStyleSheets, pinShift];
const shiftRule = pinShift.cssRules[0] as CSSStyleRule;

function followHorizontalScroll(grid: HTMLElement): () => void {
  let shown = -1;
  const follow = () => {
    const x = grid.scrollLeft;
    if (x === shown) return;
    shown = x;
    shiftRule.style.transform = `translateX(${x}px)`;
  };
  follow();
  grid.addEventListener('scroll', follow, { passive: true });
  return () => grid.removeEventListener('scroll', follow);
}
const NO_DATA: Row[] = [];
const NO_HEADERS: Header<Row, unknown>[] = [];
const CORE_ROW_MODEL = getCoreRowModel<Row>();

/** The first row position on or after a line (a group header line maps to its first row). */
function positionAtOrAfter(lines: Lines, line: number): number {
  if (line >= lines.count) {
    const last = lines.count > 0 ? lines.at(lines.count - 1) : undefined;
    return last?.kind === 'row' ? last.position + 1 : 0;
  }
  const at = lines.at(line);
  return at.kind === 'row' ? at.position : at.group.start;
}
