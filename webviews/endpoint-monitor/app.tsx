// The Endpoint Monitor: one deployment's requests/s, latency p50/p95/p99 and error rate over time, and the
// drift of each input feature and of the predictions against the training baseline. Everything shown comes
// from the host; the series grows by the host's deltas.
import { useEffect, useMemo, useState } from 'react';
import { TimeSeriesChart } from '../charts';
import { Button } from '../components';
import type { PanelClient } from '../platform/client';
import type { ParamsOf } from '../platform/protocol';
import { useNotification, usePersistentState } from '../platform/state';
import { MonitorDelta, MonitorShown, Refresh, type DriftView, type FeatureDrift, type MonitorSeries, type ViewState } from './contract';
import { mergeSeries } from './series';

/** As many buckets as the host keeps. */
const MAX_BUCKETS = 720;

type Shown = Omit<ParamsOf<typeof MonitorShown>, 'target'>;

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3));

function DriftRow({ d, threshold, minObserved }: { d: FeatureDrift; threshold: number; minObserved: number }) {
  return (
    <tr className={d.drifted ? 'em-drifted' : undefined} data-feature={d.feature}>
      <th scope="row">{d.feature}</th>
      <td className="em-num">{fmt(d.psi)}</td>
      <td className="em-num">{fmt(d.ks)}</td>
      <td className="em-num">{d.n}</td>
      <td>{d.drifted ? <span className="em-flag"><span className="em-mark" aria-hidden="true">▲</span> drifted</span> : d.n === 0 ? <span className="em-muted">no values</span> : d.n < minObserved ? <span className="em-muted">too few values</span> : d.psi > threshold ? <span className="em-muted">not significant</span> : 'stable'}</td>
    </tr>
  );
}

function DriftTable({ drift }: { drift: DriftView }) {
  const rows = drift.prediction ? [...drift.features, drift.prediction] : drift.features;
  return (
    <section aria-label="Drift">
      <h2>Drift against the training data</h2>
      <p className="em-muted">Over the last {drift.window} successful requests; a feature is flagged when its PSI exceeds {drift.threshold} and the KS statistic is significant.</p>
      {drift.problems.length > 0 && <ul className="em-problems">{drift.problems.map((p) => <li key={p}>{p}</li>)}</ul>}
      {rows.length > 0 && (
        <table className="em-table">
          <thead><tr><th scope="col">feature</th><th scope="col">PSI</th><th scope="col">KS</th><th scope="col">values</th><th scope="col">drift</th></tr></thead>
          <tbody>{rows.map((d) => <DriftRow key={d.feature} d={d} threshold={drift.threshold} minObserved={drift.minObserved} />)}</tbody>
        </table>
      )}
    </section>
  );
}

function Charts({ series }: { series: MonitorSeries }) {
  const perSecond = 1000 / series.bucketMs;
  const rate = useMemo(() => [{ label: 'requests/s', values: series.requests.map((n) => n * perSecond) }], [series, perSecond]);
  const latency = useMemo(() => [{ label: 'p50', values: series.p50 }, { label: 'p95', values: series.p95 }, { label: 'p99', values: series.p99 }], [series]);
  const errors = useMemo(() => [{ label: 'error rate', values: series.requests.map((n, i) => (n ? (100 * series.errors[i]!) / n : null)) }], [series]);
  const total = series.requests.reduce((a, b) => a + b, 0);
  const failed = series.errors.reduce((a, b) => a + b, 0);
  return (
    <>
      <p className="em-summary" role="status"><span data-total={total}>{total} requests</span> · {failed} errors · buckets of {series.bucketMs / 1000} s</p>
      <div className="em-charts">
        <TimeSeriesChart title="Requests per second" t={series.t} series={rate} unit="req/s" />
        <TimeSeriesChart title="Latency" t={series.t} series={latency} unit="ms" />
        <TimeSeriesChart title="Error rate" t={series.t} series={errors} unit="%" />
      </div>
    </>
  );
}

export function App({ client }: { client: PanelClient<ViewState> }) {
  const [, setState] = usePersistentState<ViewState>(client, {});
  const [shown, setShown] = useState<Shown>({ loading: true });
  useNotification(client, MonitorShown, (params) => {
    setShown(params);
    if (params.target) setState(() => ({ target: params.target }));
  });
  useNotification(client, MonitorDelta, ({ series, drift, deployment }) => {
    setShown((s) => ({
      ...s,
      series: s.series ? mergeSeries(s.series, series, MAX_BUCKETS) : series,
      ...(drift && { drift }),
      ...(deployment && { deployment }),
    }));
  });
  useEffect(() => client.ready(), [client]);

  const d = shown.deployment;
  return (
    <main className="em-app" aria-busy={shown.loading ? 'true' : 'false'}>
      <div className="em-toolbar" role="toolbar" aria-label="Endpoint monitor">
        <Button onClick={() => client.send(Refresh, {})} title="Read the log again from the start">Refresh</Button>
        {shown.loading && <span className="em-muted" role="status">Reading the request log…</span>}
      </div>
      {d && (
        <header className="em-head">
          <h1>{d.name}</h1>
          <p className="em-muted"><span className="em-status" data-status={d.status}>{d.status}</span> · {d.target}{d.url ? ` · ${d.url}` : ''} · model {d.modelSha256.slice(0, 12)} · run {d.runId}</p>
        </header>
      )}
      {shown.error && <p className="em-error" role="alert">{shown.error}</p>}
      {shown.unavailable && <p className="em-unavailable" role="note">{shown.unavailable}</p>}
      {!d && !shown.loading && !shown.error && <p className="em-muted">Open the monitor of a deployment from the Deployments view.</p>}
      {shown.series && <Charts series={shown.series} />}
      {shown.series && shown.series.t.length === 0 && <p className="em-muted">No requests yet: send one with "Send Test Request" in the Deployments view.</p>}
      {shown.drift && <DriftTable drift={shown.drift} />}
    </main>
  );
}
