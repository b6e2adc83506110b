// The SQL preview panel: a SQL step's compiled SQL and the first rows it returns on its warehouse. Everything
// shown comes from the host (which runs the CLI); the panel only asks for a refresh.
import { useEffect, useState } from 'react';
import { Button } from '../components';
import type { PanelClient } from '../platform/client';
import { usePersistentState, useNotification } from '../platform/state';
import { PreviewChanged, Refresh, type SqlPreviewData, type ViewState } from './contract';

export function App({ client }: { client: PanelClient<ViewState> }) {
  const [, setState] = usePersistentState<ViewState>(client, {});
  const [shown, setShown] = useState<{ loading?: boolean; preview?: SqlPreviewData; error?: string; step?: string }>({ loading: true });
  useNotification(client, PreviewChanged, (params) => {
    setShown({ ...params, ...(params.target && { step: params.target.step }) });
    if (params.target) setState(() => ({ target: params.target }));
  });
  useEffect(() => client.ready(), [client]);

  const { preview } = shown;
  return (
    <main className="sp-app" aria-busy={shown.loading ? 'true' : 'false'}>
      <div className="sp-toolbar" role="toolbar" aria-label="SQL preview">
        <Button onClick={() => client.send(Refresh, {})} title="Run the preview again">Refresh</Button>
        {shown.step && <strong>{shown.step}</strong>}
        {preview && <span className="sp-badge" aria-label={`warehouse ${preview.warehouse}, ${preview.dialect}`}>{preview.warehouse} · {preview.dialect}</span>}
        {shown.loading && <span className="sp-muted" role="status">Running the query…</span>}
      </div>
      {shown.error && <pre className="sp-error" role="alert">{shown.error}</pre>}
      {!preview && !shown.loading && !shown.error && <p className="sp-muted">Preview a SQL step from the code lens above it in the flow file, or with “Flowbench: Preview SQL Step”.</p>}
      {preview && (
        <>
          <details open>
            <summary>Compiled SQL</summary>
            <pre className="sp-sql" aria-label="Compiled SQL">{preview.sql.trimEnd()}</pre>
          </details>
          <p className="sp-muted" role="status">
            {preview.rows.length} row{preview.rows.length === 1 ? '' : 's'}{preview.rows.length >= 100 ? ' (the first 100)' : ''}
          </p>
          <div className="sp-scroll">
            <table className="sp-table" aria-label={`First rows of ${preview.step}`}>
              <thead>
                <tr>{preview.columns.map((c, i) => <th key={i} scope="col">{c}</th>)}</tr>
              </thead>
              <tbody>
                {preview.rows.map((row, r) => (
                  <tr key={r}>{row.map((v, i) => <td key={i} className={typeof v === 'number' ? 'sp-num' : v === null ? 'sp-null' : undefined}>{v === null ? 'NULL' : String(v)}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </main>
  );
}
