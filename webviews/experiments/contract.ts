// The experiments panel's message contract: the only module both the panel (webviews/experiments) and its
// host (extension/panels/experiments-controller.ts) import from each other. Pure TS.
//
// The host keeps every run in a columnar RunTable (core/runs/table.ts); the webview holds the current query,
// the column layout and a cache of the row windows it has shown: rows × the columns on screen, so a row never
// carries the ~100 columns scrolled out of view. A `version` names one result of a query:
// rows asked for under an older version are answered empty, so a stale window never paints.
import type { QueryProblem, SortKey } from '../../core/runs/query';
import type { SeriesBuckets } from '../../core/runs/series';
import type { Cell, ColumnInfo } from '../../core/runs/table';
import { command, notification, request } from '../platform/protocol';
import type { CompareRun, HistoryRequest } from './compare/types';

// Type-only: the shapes are the run table's and the query language's own (nothing of core is bundled).
export type { Cell, ColumnInfo } from '../../core/runs/table';
export type { QueryProblem, SortKey } from '../../core/runs/query';
/**
 * A cell as it crosses postMessage. VS Code serializes messages as JSON, which turns NaN and ±Infinity into
 * null (a missing value): those travel as a marker object, so a NaN metric reads "NaN", not blank.
 */
export type WireCell = Cell | { nonFinite: 'NaN' | 'Infinity' | '-Infinity' };
export interface Row {
  id: string;
  cells: WireCell[];
}

/** The host's side of WireCell. */
export function toWireCell(cell: Cell): WireCell {
  if (typeof cell !== 'number' || Number.isFinite(cell)) return cell;
  return { nonFinite: cell !== cell ? 'NaN' : cell > 0 ? 'Infinity' : '-Infinity' };
}

/** What the webview saves with setState and gives back in Ready; the host re-applies it after a restart. */
export interface ViewState {
  filter: string;
  sort: SortKey[];
  /** Column keys, in the user's order; columns not listed come after, in the table's order. */
  order: string[];
  hidden: string[];
  pinned: string[];
  widths: Record<string, number>;
  onlyDiffering: boolean;
  groupByFlow: boolean;
  /** Runs selected for comparison. */
  selected: string[];
  followActiveFlow: boolean;
  /** The compare view's baseline run (the first selected when unset or no longer selected). */
  baseline?: string;
}

export const defaultViewState: ViewState = {
  filter: '',
  sort: [{ column: 'start', descending: true }],
  order: [],
  hidden: [],
  pinned: ['starred', 'id'],
  widths: {},
  onlyDiffering: false,
  groupByFlow: true,
  selected: [],
  followActiveFlow: false,
};

/** A run of rows with the same flow, in view positions (grouping is by flow, rows sorted within a group). */
export interface Group {
  flow: string;
  start: number;
  count: number;
}

export interface QueryResult {
  version: number;
  /** Rows passing the filter. */
  total: number;
  /** All runs in the workspace. */
  size: number;
  problems: QueryProblem[];
  groups: Group[];
  /** The rows of the window the query asked for, so a new result paints without a second round trip. */
  window?: { from: number; rows: Row[]; columns: string[] };
}

/** A window of result positions and the columns its rows carry. */
export interface RowWindow {
  from: number;
  count: number;
  columns: string[];
}

export type RowAction = 'logs' | 'rerun' | 'modify' | 'reveal' | 'copyId' | 'delete';

// host → webview
/** After Ready: the columns, and everything the host knows the webview should show. */
export const Init = notification<{ columns: ColumnInfo[]; notes: string[]; focus?: string; activeFlow?: string }>('experiments/init');
/** The set of columns changed (a run with a new param or metric appeared, or one went). */
export const ColumnsChanged = notification<{ columns: ColumnInfo[] }>('experiments/columns');
/** Runs came, went or moved: the webview re-runs its query (the host has already re-selected). */
export const ResultChanged = notification<QueryResult>('experiments/result');
/** Cells of rows in the window the webview last asked for changed (live runs): a delta, not a resend. */
export const RowsPatched = notification<{ version: number; rows: Row[]; columns: string[] }>('experiments/patch');
/** Show this run: the webview clears a filter hiding it and scrolls to its position. */
export const FocusRun = notification<{ id: string }>('experiments/focus');
/** The active editor's flow, when the webview follows it. */
export const ActiveFlowChanged = notification<{ flow: string | undefined }>('experiments/activeFlow');
/** Things the host skipped (torn records, non-numeric metrics), shown above the table. */
export const Notes = notification<{ notes: string[] }>('experiments/notes');

// webview → host
/** `brush`: the compare view's parallel-coordinates brush, ANDed with `filter` (its problems are not the user's). */
/** `window`: the rows on screen, answered with the new result (and the rows live deltas go to from then on). */
export const RunQuery = request<{ filter: string; sort: SortKey[]; groupByFlow: boolean; flow?: string; brush?: string; window?: RowWindow }, QueryResult>('experiments/query');
export const GetRows = request<{ version: number } & RowWindow, { version: number; from: number; rows: Row[] }>('experiments/rows');
export const GetIds = request<{ version: number; from: number; to: number }, string[]>('experiments/ids');
/** The position of a run in the current result, or -1 (filtered out) */
export const PositionOf = request<{ version: number; id: string }, number>('experiments/position');
/** The rows on screen, so live deltas go to exactly those (no answer). */
export const Viewport = command<{ version: number; from: number; count: number; columns: string[] }>('experiments/viewport');
export const SetStarred = command<{ id: string; starred: boolean }>('experiments/star');
export const RunAction = command<{ id: string; action: RowAction }>('experiments/action');
export const ExportCsv = command<{ ids?: string[]; columns: string[] }>('experiments/exportCsv');
/** The selected runs as the compare view shows them (at most COMPARE_MAX), and which metrics have histories. */
export const GetCompareRuns = request<{ ids: string[] }, { runs: CompareRun[]; historyKeys: string[]; omitted: number }>('experiments/compareRuns');
/** A chart's metric histories, downsampled in the host (core/runs/series.ts): buckets, never raw points. */
export const GetHistories = request<HistoryRequest, SeriesBuckets[]>('experiments/histories');
/** An export (chart PNG/SVG, compare CSV) for the host to save where the user says: text, or bytes as base64. */
export const SaveExport = command<{ name: string; mime: string; text?: string; base64?: string }>('experiments/saveExport');
export const COMPARE_MAX = 500;

