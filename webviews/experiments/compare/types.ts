// The compare view's data shapes (API.md), apart from the component so the panel's contract and its host can
// import them without React.
import type { XAxis } from '../../../core/runs/series';
import type { Cell } from '../../../core/runs/table';
import type { WireCell } from '../contract';

export type { Cell };
/** Values as they cross postMessage (NaN and ±Infinity as markers, see WireCell); compare-view decodes them. */
export interface CompareRun {
  id: string;
  label: string;
  flow: string;
  status: string;
  params: Record<string, WireCell>;
  metrics: Record<string, WireCell>;
}
export interface HistoryRequest {
  runIds: string[];
  key: string;
  x: XAxis;
  buckets: number;
  range?: [number, number];
}
