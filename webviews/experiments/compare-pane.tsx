// The compare view inside the experiments panel: fetches the selected runs from the host (debounced while
// a selection is being made), asks the host for downsampled histories, and sends exports to the host to save.
// The view and its chart libraries (uPlot, ECharts: about half the panel's code) load only once runs are
// selected, so opening the panel on the table does not parse them.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { PanelClient } from '../platform/client';
import type { CompareRun, HistoryRequest } from './compare/types';
import { GetCompareRuns, GetHistories, SaveExport, type ViewState } from './contract';
import type { ExportData } from '../charts';
// The lazy chunk's stylesheets are not linked by the page: they come with the panel's own CSS.
import 'uplot/dist/uPlot.min.css';
import '../charts/charts.css';
import './compare/compare.css';

const SELECT_DEBOUNCE_MS = 150;
const CompareView = lazy(() => import('./compare/compare-view').then((m) => ({ default: m.CompareView })));

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function ComparePane(props: { client: PanelClient<ViewState>; selected: string[]; baseline?: string; onBaselineChange(id: string): void; onBrush(filter: string | undefined): void }) {
  const { client } = props;
  const [compare, setCompare] = useState<{ runs: CompareRun[]; historyKeys: string[]; omitted: number }>();
  const key = props.selected.join('\n');
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      void client.request(GetCompareRuns, { ids: props.selected }).then((answer) => current && setCompare(answer));
    }, SELECT_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, key]); // eslint-disable-line react-hooks/exhaustive-deps
  const requestHistories = useCallback((req: HistoryRequest) => client.request(GetHistories, req), [client]);
  const onExport = useCallback(
    (name: string, mime: string, data: ExportData) => client.send(SaveExport, typeof data === 'string' ? { name, mime, text: data } : { name, mime, base64: base64(data) }),
    [client],
  );
  if (!compare) return <span className="fb-muted">Loading the selected runs…</span>;
  return (
    <Suspense fallback={<span className="fb-muted">Loading the compare view…</span>}>
      {compare.omitted > 0 && (
        <p className="fb-muted" role="status">
          Comparing the first {compare.runs.length} of {compare.runs.length + compare.omitted} selected runs.
        </p>
      )}
      <CompareView
        runs={compare.runs}
        baselineId={props.baseline}
        onBaselineChange={props.onBaselineChange}
        historyKeys={compare.historyKeys}
        requestHistories={requestHistories}
        onBrush={props.onBrush}
        onExport={onExport}
      />
    </Suspense>
  );
}
