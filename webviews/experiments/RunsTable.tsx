// The runs table: an ARIA grid virtualized in both directions (TanStack Virtual), with its column model
// (order, visibility, sizes, pinning, resizing) kept by TanStack Table. Rows come from the host window by
// window (see rowCache.ts); this component only renders what is on screen.
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnPinningState,
  type ColumnSizingState,
  type Header,
  type VisibilityState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { onKeys } from '../platform/keyboard';
import type { Cell, ColumnInfo, Row, SortKey, ViewState } from './contract';
import { columnLabel, formatCell } from './format';
import type { Lines } from './layout';

export const ROW_HEIGHT = 24;
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
  /** The visible range of positions changed: fetch what is missing. */
  onVisible(from: number, to: number): void;
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

export function RunsTable(props: TableProps) {
  const { columns, state, update, lines, total, rowAt, selected, active } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const dragged = useRef<string>();
  const info = useMemo(() => new Map(columns.map((c) => [c.key, c])), [columns]);
  const shown = props.cellColumns;

  const defs = useMemo<ColumnDef<Row>[]>(
    () => columns.map((c) => ({ id: c.key, header: columnLabel(c.key), size: DEFAULT_WIDTH[c.key] ?? 110, minSize: 30, maxSize: 1200 })),
    [columns],
  );
  const visibility = useMemo<VisibilityState>(() => Object.fromEntries(columns.map((c) => [c.key, shown.includes(c.key)])), [columns, shown]);
  const pinning = useMemo<ColumnPinningState>(() => ({ left: state.pinned.filter((k) => info.has(k)), right: [] }), [state.pinned, info]);
  const table = useReactTable<Row>({
    data: [],
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    columnResizeMode: 'onChange',
    state: { columnOrder: shown as string[], columnVisibility: visibility, columnPinning: pinning, columnSizing: state.widths as ColumnSizingState },
    onColumnSizingChange: (fn) => update((s) => ({ ...s, widths: typeof fn === 'function' ? fn(s.widths) : fn })),
  });
  const left = table.getLeftHeaderGroups()[0]?.headers ?? [];
  const center = table.getCenterHeaderGroups()[0]?.headers ?? [];
  const pinnedWidth = SELECT_WIDTH + left.reduce((sum, h) => sum + h.getSize(), 0);
  const centerWidth = center.reduce((sum, h) => sum + h.getSize(), 0);

  // useFlushSync: false lets React batch the re-render a scroll event asks for into the next frame instead of
  // rendering synchronously inside every scroll event (measured: most of the frame time while scrolling).
  const rows = useVirtualizer({ count: lines.count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12, useFlushSync: false });
  const cols = useVirtualizer({
    horizontal: true,
    useFlushSync: false,
    count: center.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => center[i]?.getSize() ?? 110,
    overscan: 4,
  });
  // Widths change with resizing and layout: the column virtualizer measures again.
  const widthsKey = center.map((h) => h.getSize()).join(',');
  useEffect(() => cols.measure(), [widthsKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const items = rows.getVirtualItems();
  const colItems = cols.getVirtualItems();
  const firstLine = items[0]?.index ?? 0;
  const lastLine = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (lastLine < 0) return;
    const from = positionAtOrAfter(lines, firstLine);
    const to = positionAtOrAfter(lines, lastLine + 1);
    props.onVisible(from, Math.max(from, to));
  }, [firstLine, lastLine, lines, total]); // eslint-disable-line react-hooks/exhaustive-deps

  // The active row stays on screen as the keyboard moves it.
  useEffect(() => {
    if (active >= 0 && active < total) rows.scrollToIndex(lines.lineOf(active), { align: 'auto' });
  }, [active]); // eslint-disable-line react-hooks/exhaustive-deps

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
    s: withActive((id) => props.onStar(id, !activeRow?.cells[shown.indexOf('starred')])),
    ...Object.fromEntries(Object.entries(props.rowKeys).map(([key, fn]) => [key, withActive(fn)])),
  });

  const onRowClick = (event: MouseEvent, position: number, id: string) => {
    if (event.shiftKey) props.selectRange(Math.min(active, position), Math.max(active, position) + 1);
    else if (event.ctrlKey || event.metaKey) props.toggleSelected(id);
    props.setActive(position);
  };

  const headerCell = (header: Header<Row, unknown>, style: React.CSSProperties) => {
    const key = header.column.id;
    const c = info.get(key);
    const at = state.sort.findIndex((k) => k.column === key);
    const ariaSort = at === 0 ? (state.sort[0]!.descending ? 'descending' : 'ascending') : undefined;
    const sortBy = (additive: boolean) => update((s) => ({ ...s, sort: nextSort(s.sort, key, additive) }));
    const reorder = (delta: number) => update((s) => ({ ...s, order: moveColumn(shown as string[], key, delta) }));
    const resize = (delta: number) => update((s) => ({ ...s, widths: { ...s.widths, [key]: Math.max(30, header.getSize() + delta) } }));
    const togglePin = () => update((s) => ({ ...s, pinned: s.pinned.includes(key) ? s.pinned.filter((k) => k !== key) : [...s.pinned, key] }));
    const hide = () => update((s) => ({ ...s, hidden: [...s.hidden, key] }));
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      const from = dragged.current;
      if (!from || from === key) return;
      update((s) => ({ ...s, order: moveColumn(shown as string[], from, shown.indexOf(key) - shown.indexOf(from)) }));
    };
    return (
      <div
        key={key}
        role="columnheader"
        aria-sort={ariaSort}
        className={`xp-cell xp-head xp-${c?.group ?? 'info'}${header.column.getIsPinned() ? ' pinned' : ''}`}
        style={style}
        draggable
        onDragStart={() => (dragged.current = key)}
        onDragOver={(event) => event.preventDefault()}
        onDrop={onDrop}
      >
        <button
          type="button"
          className="fb-plain xp-head-button"
          data-column={key}
          aria-label={`${key}${at >= 0 ? `, sorted ${state.sort[at]!.descending ? 'descending' : 'ascending'}` : ''}. Enter sorts, Shift+Enter adds to the sort, Alt+arrows move, Ctrl+arrows resize, P pins, H hides`}
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
            {sortIndicator(state.sort, key)}
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

  const cell = (key: string, value: Cell | undefined, width: number, style: React.CSSProperties, row: Row | undefined) => {
    if (key === 'starred') {
      const starred = value === true;
      return (
        <div key={key} role="gridcell" className="xp-cell xp-star pinned-able" style={{ ...style, width }}>
          {row && (
            <button
              type="button"
              tabIndex={-1}
              className={`fb-plain xp-star-button${starred ? ' on' : ''}`}
              aria-pressed={starred}
              aria-label={starred ? `Unstar run ${row.id}` : `Star run ${row.id}`}
              onClick={(event) => {
                event.stopPropagation();
                props.onStar(row.id, !starred);
              }}
            >
              {starred ? '★' : '☆'}
            </button>
          )}
        </div>
      );
    }
    const text = value === undefined ? '' : formatCell(key, value);
    return (
      <div key={key} role="gridcell" className={`xp-cell${typeof value === 'number' ? ' num' : ''}${key === 'status' ? ` status-${String(value)}` : ''}`} style={{ ...style, width }} title={value === null || value === undefined ? undefined : String(value)}>
        {text}
      </div>
    );
  };

  const leftStyles = (() => {
    let x = SELECT_WIDTH;
    return left.map((h) => {
      const style: React.CSSProperties = { position: 'sticky', left: x, width: h.getSize(), zIndex: 1 };
      x += h.getSize();
      return style;
    });
  })();
  const padLeft = colItems[0]?.start ?? 0;
  const visibleCenter = colItems.map((v) => center[v.index]!).filter(Boolean);

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
      onKeyDown={(event: KeyboardEvent<HTMLDivElement>) => {
        if (event.target === event.currentTarget) onGridKey(event);
      }}
    >
      <div style={{ height: rows.getTotalSize() + ROW_HEIGHT, width: pinnedWidth + centerWidth, position: 'relative' }}>
        <div role="row" aria-rowindex={1} className="xp-row xp-header" style={{ width: pinnedWidth + centerWidth }}>
          <div role="columnheader" className="xp-cell xp-select pinned" style={{ position: 'sticky', left: 0, width: SELECT_WIDTH, zIndex: 1 }} aria-label="Selected for comparison">
            {selected.size > 0 ? selected.size : ''}
          </div>
          {left.map((h, i) => headerCell(h, leftStyles[i]!))}
          <div style={{ width: padLeft, flex: 'none' }} />
          {visibleCenter.map((h) => headerCell(h, { width: h.getSize() }))}
        </div>
        {items.map((item) => {
          const line = lines.at(item.index);
          const top = item.start + ROW_HEIGHT;
          if (line.kind === 'group') {
            return (
              <div key={`g${item.index}`} role="row" className="xp-row xp-group" style={{ top, width: pinnedWidth + centerWidth }}>
                <div role="gridcell" className="xp-group-label" aria-colspan={shown.length + 1}>
                  {line.group.flow} <span className="fb-muted">· {line.group.count} runs</span>
                </div>
              </div>
            );
          }
          const position = line.position;
          const row = rowAt(position);
          const isSelected = row ? selected.has(row.id) : false;
          const cells = (keys: readonly Header<Row, unknown>[]) => keys.map((h) => h.column.id);
          const valueOf = (key: string) => (row ? row.cells[shown.indexOf(key)] : undefined);
          return (
            <div
              key={row ? row.id : `p${position}`}
              id={row ? `run-${row.id}` : undefined}
              role="row"
              aria-rowindex={position + 2}
              aria-selected={isSelected}
              data-position={position}
              data-run={row?.id}
              data-vscode-context={row ? JSON.stringify({ webviewSection: 'run', runId: row.id, preventDefaultContextMenuItems: true }) : undefined}
              className={`xp-row${isSelected ? ' selected' : ''}${position === active ? ' active' : ''}`}
              style={{ top, width: pinnedWidth + centerWidth }}
              onClick={(event) => row && onRowClick(event, position, row.id)}
            >
              <div role="gridcell" className="xp-cell xp-select pinned" style={{ position: 'sticky', left: 0, width: SELECT_WIDTH, zIndex: 1 }}>
                {row && (
                  <input
                    type="checkbox"
                    tabIndex={-1}
                    checked={isSelected}
                    aria-label={`Select run ${row.id} for comparison`}
                    onClick={(event) => event.stopPropagation()}
                    onChange={() => props.toggleSelected(row.id)}
                  />
                )}
              </div>
              {cells(left).map((key, i) => cell(key, valueOf(key), left[i]!.getSize(), leftStyles[i]!, row))}
              <div style={{ width: padLeft, flex: 'none' }} />
              {visibleCenter.map((h) => cell(h.column.id, valueOf(h.column.id), h.getSize(), {}, row))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** The first row position on or after a line (a group header line maps to its first row). */
function positionAtOrAfter(lines: Lines, line: number): number {
  if (line >= lines.count) {
    const last = lines.count > 0 ? lines.at(lines.count - 1) : undefined;
    return last?.kind === 'row' ? last.position + 1 : 0;
  }
  const at = lines.at(line);
  return at.kind === 'row' ? at.position : at.group.start;
}
