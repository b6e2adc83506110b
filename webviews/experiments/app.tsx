// The experiments panel: toolbar (filter, column options, export), the runs table, the active row's actions
// and the runs selected for comparison. State worth keeping (query, layout, selection) is persisted; rows are
// never kept beyond the windows on screen.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, Checkbox } from '../components';
import type { PanelClient } from '../platform/client';
import { ReportError, type ParamsOf } from '../platform/protocol';
import { SingleFlight } from '../platform/single-flight';
import { usePersistentState, useNotification } from '../platform/state';
import { ColumnsMenu } from './columns-menu';
import { ComparePane } from './compare-pane';
import {
  ActiveFlowChanged,
  ColumnsChanged,
  defaultViewState,
  ExportCsv,
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
  SetStarred,
  Viewport,
  type ColumnInfo,
  type QueryProblem,
  type QueryResult,
  type RowAction,
  type ViewState,
} from './contract';
import { FilterBox } from './filter-box';
import { linesOf } from './layout';
import { BLOCK, blockWindow, RowCache } from './row-cache';
import { columnsInView, RunsTable, visibleColumns } from './runs-table';

/** Rows fetched beyond those on screen (both ways): a scroll then finds the next block already there instead of
 *  painting empty rows and filling them a frame or two later (measured: every fifth row rendered twice). */
const AHEAD = BLOCK / 2;
/** A shift-click or Shift+arrow range selects at most this many runs. */
const MAX_RANGE = 10_000;

const ACTIONS: { action: RowAction; label: string; key: string; keyLabel: string }[] = [
  { action: 'logs', label: 'Step logs', key: 'l', keyLabel: 'L' },
  { action: 'rerun', label: 'Re-run', key: 'r', keyLabel: 'R' },
  { action: 'modify', label: 'Run with params…', key: 'm', keyLabel: 'M' },
  { action: 'reveal', label: 'Reveal outputs', key: 'o', keyLabel: 'O' },
  { action: 'copyId', label: 'Copy id', key: 'Mod+c', keyLabel: 'Ctrl+C' },
  { action: 'delete', label: 'Delete…', key: 'Delete', keyLabel: 'Delete' },
];

export function App({ client }: { client: PanelClient<ViewState> }) {
  const [state, setState] = usePersistentState(client, defaultViewState);
  // Every change of the view goes through here, so a change of the query (a sort click, a keystroke in the
  // filter) asks the host at once, from the event, and the host computes while the webview renders the click
  // (asked from an effect, the query left only after that render and commit). Nothing else sets the state, so
  // latestState is always the newest one asked for, rendered or not.
  const latestState = useRef(state);
  const askFor = useRef<(s: ViewState) => void>(() => undefined);
  const update = useCallback(
    (fn: (s: ViewState) => ViewState) => {
      const next = fn(latestState.current);
      latestState.current = next;
      setState(() => next);
      askFor.current(next);
    },
    [setState],
  );
  const [columns, setColumns] = useState<ColumnInfo[]>();
  const [notes, setNotes] = useState<string[]>([]);
  const [result, setResult] = useState<QueryResult>();
  const [problems, setProblems] = useState<QueryProblem[]>([]);
  const [activeFlow, setActiveFlow] = useState<string>();
  const [active, setActive] = useState(0);
  const [showColumns, setShowColumns] = useState(false);
  const [, repaint] = useState(0);
  const [brush, setBrush] = useState<string>();
  // The brush lives in the compare view: without a selection there is none, and nothing may filter unseen.
  useEffect(() => {
    if (state.selected.length === 0) setBrush(undefined);
  }, [state.selected.length]);
  const pendingFocus = useRef<string>();
  /** The rows and columns on screen (before the table first reports them: a guess from the column widths). */
  const visible = useRef<{ from: number; to: number; columns?: readonly string[] }>({ from: 0, to: 0 });
  const toldWindow = useRef<{ cache?: RowCache; from: number; to: number; columns: string }>({ from: 0, to: 0, columns: '' });

  useNotification(client, Init, (init) => {
    setColumns(init.columns);
    setNotes(init.notes);
    setActiveFlow(init.activeFlow);
    if (init.focus) pendingFocus.current = init.focus;
  });
  useNotification(client, ColumnsChanged, ({ columns }) => setColumns(columns));
  useNotification(client, ResultChanged, (r) => setResult(r));
  useNotification(client, Notes, ({ notes }) => setNotes(notes));
  useNotification(client, ActiveFlowChanged, ({ flow }) => setActiveFlow(flow));
  useNotification(client, FocusRun, ({ id }) => {
    pendingFocus.current = id;
    void focusPending();
  });
  const cellColumns = useMemo(() => (columns ? visibleColumns(columns, state) : []), [columns, state.order, state.hidden, state.pinned, state.onlyDiffering]); // eslint-disable-line react-hooks/exhaustive-deps
  const onScreen = () => visible.current.columns ?? columnsInView(cellColumns, state, window.innerWidth);
  const cache = useMemo(() => {
    if (!result) return undefined;
    const fresh = new RowCache(result.version, cellColumns);
    if (result.window) fresh.putWindow(result.window.from, result.window.rows, result.window.columns);
    return fresh;
  }, [result?.version, cellColumns.join('\n')]); // eslint-disable-line react-hooks/exhaustive-deps
  useNotification(client, RowsPatched, ({ version, rows, columns }) => {
    if (cache && version === cache.version && cache.patch(rows, columns)) repaint((n) => n + 1);
  });

  const totalRows = useRef(0);
  totalRows.current = result?.total ?? 0;
  const fetchRows = useCallback(
    (from: number, to: number, columns?: readonly string[]) => {
      visible.current = { from, to, columns: columns ?? visible.current.columns };
      if (!cache) return;
      const shown = visible.current.columns ?? cache.columns;
      // The host hears of the window in whole blocks, so scrolling posts a Viewport only when it crosses one.
      const window = blockWindow(from, to);
      const told = toldWindow.current;
      const columnsKey = shown.join('\n');
      if (told.cache !== cache || told.from !== window.from || told.to !== window.to || told.columns !== columnsKey) {
        toldWindow.current = { cache, ...window, columns: columnsKey };
        client.send(Viewport, { version: cache.version, from: window.from, count: window.to - window.from, columns: [...shown] });
      }
      const total = totalRows.current;
      for (const { block, columns: wanted } of cache.missing(Math.max(0, from - AHEAD), Math.min(total, to + AHEAD), shown)) {
        client
          .request(GetRows, { version: cache.version, from: block * BLOCK, count: BLOCK, columns: wanted })
          .then((answer) => {
            if (answer.version !== cache.version) return cache.failed(block, wanted);
            cache.put(block, answer.rows, wanted);
            repaint((n) => n + 1);
          })
          .catch(() => cache.failed(block, wanted));
      }
    },
    [client, cache],
  );
  useEffect(() => fetchRows(visible.current.from, visible.current.to), [fetchRows]);

  // Every keystroke in the filter box asks at once (no typing pause), one query at a time: a newer one waits
  // in place of older waiting ones, and an answer a newer query overtook is not painted. The window is the one
  // on screen when the query leaves.
  const latestColumns = useRef(onScreen);
  latestColumns.current = onScreen;
  const queries = useMemo(
    () =>
      new SingleFlight(
        (params: Omit<ParamsOf<typeof RunQuery>, 'window'>) => {
          const { from, to } = blockWindow(visible.current.from, Math.max(visible.current.to, visible.current.from + 1));
          return client.request(RunQuery, { ...params, window: { from, count: to - from, columns: [...latestColumns.current()] } });
        },
        (r: QueryResult) => {
          setProblems(r.problems);
          setResult(r);
        },
        (err) => client.send(ReportError, { message: `The runs query failed: ${(err as Error).message}` }),
      ),
    [client],
  );
  const flow = state.followActiveFlow ? activeFlow : undefined;
  const asked = useRef('');
  const ask = (s: ViewState, flow: string | undefined, brush: string | undefined) => {
    const params = { filter: s.filter, sort: s.sort, groupByFlow: s.groupByFlow, flow, brush };
    const key = JSON.stringify(params);
    if (key === asked.current) return;
    asked.current = key;
    queries.ask(params);
  };
  askFor.current = (s) => columns && ask(s, s.followActiveFlow ? activeFlow : undefined, brush);
  // What else changes the query (the columns' arrival, the active flow, the brush) asks after rendering.
  useEffect(() => {
    if (columns) ask(state, flow, brush);
  }, [queries, columns !== undefined, state.filter, state.sort, state.groupByFlow, flow, brush]); // eslint-disable-line react-hooks/exhaustive-deps

  const focusPending = async () => {
    const id = pendingFocus.current;
    if (!id || !result) return;
    const position = await client.request(PositionOf, { version: result.version, id });
    if (position >= 0) {
      pendingFocus.current = undefined;
      setActive(position);
      update((s) => (s.selected.includes(id) ? s : { ...s, selected: [...s.selected, id] }));
    } else if (state.filter || state.followActiveFlow) {
      // Hidden by the filter: show everything, then look again when the new result comes.
      update((s) => ({ ...s, filter: '', followActiveFlow: false }));
    } else {
      pendingFocus.current = undefined;
    }
  };
  useEffect(() => void focusPending(), [result?.version]); // eslint-disable-line react-hooks/exhaustive-deps

  // No toolkit here: the panel keeps components/'s plain elements, which look the same. Swapping them for the
  // toolkit's after the first rows (as the model card does) was ~200 ms of the page's main thread in two tasks
  // that nothing could interrupt (evaluating FAST and defining its elements; then its design tokens on the root
  // restyling and laying out every cell of the grid), and a sort or filter asked in that first second after the
  // open waited for them (measured with Chromium traces of the bench; see webviews/README.md "Boot").

  const lines = useMemo(() => linesOf(result?.total ?? 0, result?.groups ?? []), [result]);
  const selected = useMemo(() => new Set(state.selected), [state.selected]);
  const toggleSelected = (id: string) =>
    update((s) => ({ ...s, selected: s.selected.includes(id) ? s.selected.filter((x) => x !== id) : [...s.selected, id] }));
  const selectRange = (from: number, to: number) => {
    if (!result) return;
    const start = Math.max(0, from);
    void client.request(GetIds, { version: result.version, from: start, to: Math.min(to, start + MAX_RANGE) }).then((ids) =>
      update((s) => ({ ...s, selected: [...new Set([...s.selected, ...ids])] })),
    );
  };
  const act = (action: RowAction) => (id: string) => client.send(RunAction, { id, action });
  const activeRow = cache?.get(active);

  return (
    <div className="xp-app">
      <div className="xp-toolbar" role="toolbar" aria-label="Runs table options">
        <FilterBox value={state.filter} problems={problems} onChange={(filter) => update((s) => ({ ...s, filter }))} />
        <Checkbox checked={state.onlyDiffering} onChange={(onlyDiffering) => update((s) => ({ ...s, onlyDiffering }))}>
          Only columns that differ
        </Checkbox>
        <Checkbox checked={state.groupByFlow} onChange={(groupByFlow) => update((s) => ({ ...s, groupByFlow }))}>
          Group by flow
        </Checkbox>
        <Checkbox checked={state.followActiveFlow} onChange={(followActiveFlow) => update((s) => ({ ...s, followActiveFlow }))}>
          Follow active flow{state.followActiveFlow && activeFlow ? ` (${activeFlow})` : ''}
        </Checkbox>
        <Button onClick={() => setShowColumns((v) => !v)}>Columns…</Button>
        <Button
          onClick={() => client.send(ExportCsv, { ids: state.selected.length ? state.selected : undefined, columns: cellColumns })}
          title={state.selected.length ? 'Export the selected runs as CSV' : 'Export the runs shown as CSV'}
        >
          Export CSV
        </Button>
      </div>
      {showColumns && columns && <ColumnsMenu columns={columns} state={state} update={update} onClose={() => setShowColumns(false)} />}
      {notes.length > 0 && (
        <div className="xp-notes" role="status">
          {notes.slice(0, 3).map((note) => (
            <div key={note}>{note}</div>
          ))}
          {notes.length > 3 && <div className="fb-muted">and {notes.length - 3} more (see the Flowbench output)</div>}
        </div>
      )}
      <div className="xp-status fb-muted" role="status" aria-live="polite">
        {result ? `${result.total} of ${result.size} runs` : 'Loading runs…'}
        {state.selected.length > 0 && ` · ${state.selected.length} selected`}
        {state.sort.length > 0 && ` · sorted by ${state.sort.map((k) => `${k.column}${k.descending ? ' desc' : ''}`).join(', ')}`}
        {brush && ` · brushed: ${brush}`}
      </div>
      {columns && result && cache && (
        <RunsTable
          columns={columns}
          state={state}
          update={update}
          lines={lines}
          total={result.total}
          version={result.version}
          rowAt={(position) => cache.get(position)}
          onVisible={fetchRows}
          cellColumns={cache.columns}
          selected={selected}
          active={Math.min(active, Math.max(0, result.total - 1))}
          setActive={setActive}
          toggleSelected={toggleSelected}
          selectRange={selectRange}
          clearSelection={() => update((s) => ({ ...s, selected: [] }))}
          onStar={(id, starred) => client.send(SetStarred, { id, starred })}
          rowKeys={Object.fromEntries(ACTIONS.map((a) => [a.key, act(a.action)]))}
        />
      )}
      <div className="xp-actions" role="toolbar" aria-label={activeRow ? `Actions for run ${activeRow.id}` : 'Run actions'}>
        <span className="fb-muted">{activeRow ? `Run ${activeRow.id}` : 'No run'}</span>
        {ACTIONS.map((a) => (
          <Button key={a.action} disabled={!activeRow} title={`${a.label} (${a.keyLabel})`} onClick={() => activeRow && act(a.action)(activeRow.id)}>
            {a.label}
          </Button>
        ))}
      </div>
      <section className="xp-compare" aria-label="Runs selected for comparison">
        {state.selected.length === 0 ? (
          <span className="fb-muted">Select runs (Space, Ctrl+click, Shift+click) to compare them.</span>
        ) : (
          <ComparePane
            client={client}
            selected={state.selected}
            baseline={state.baseline}
            onBaselineChange={(baseline) => update((s) => ({ ...s, baseline }))}
            onBrush={setBrush}
          />
        )}
      </section>
    </div>
  );
}
