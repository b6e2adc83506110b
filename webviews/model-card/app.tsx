// The model card panel: one run's card (details, checks, metrics overall and by slice beside the previous
// model, signature, lineage, considerations), or two versions side by side. Everything shown comes from the
// host; the panel only asks for a refresh or an export.
import { useEffect, useState } from 'react';
import { Button, loadToolkit } from '../components';
import type { PanelClient } from '../platform/client';
import { usePersistentState, useNotification } from '../platform/state';
import { CardView, MetricsCompare } from './card-view';
import { CardChanged, DeployModel, ExportCard, Refresh, type ExportFormat, type ModelCard, type ViewState } from './contract';

const EXPORTS: { format: ExportFormat; label: string }[] = [
  { format: 'md', label: 'README.md (Hugging Face)' },
  { format: 'html', label: 'HTML' },
  { format: 'json', label: 'JSON' },
  { format: 'mct', label: 'Model Card Toolkit' },
];

export function App({ client }: { client: PanelClient<ViewState> }) {
  const [, setState] = usePersistentState<ViewState>(client, {});
  const [shown, setShown] = useState<{ loading?: boolean; card?: ModelCard; compare?: ModelCard; error?: string }>({ loading: true });
  useNotification(client, CardChanged, (params) => {
    setShown(params);
    if (params.target) setState(() => ({ target: params.target }));
  });
  useEffect(() => client.ready(), [client]);
  useEffect(() => void loadToolkit(), []);

  const { card, compare } = shown;
  return (
    <main className="mc-app" aria-busy={shown.loading ? 'true' : 'false'}>
      <div className="mc-toolbar" role="toolbar" aria-label="Model card">
        <Button onClick={() => client.send(Refresh, {})} title="Build the card again">Refresh</Button>
        {card && !compare && <Button onClick={() => client.send(DeployModel, {})} title="Deploy this model to an endpoint">Deploy…</Button>}
        {card && !compare && EXPORTS.map((e) => (
          <Button key={e.format} onClick={() => client.send(ExportCard, { format: e.format })} title={`Export as ${e.label}`}>Export {e.label}</Button>
        ))}
        {shown.loading && <span className="mc-muted" role="status">Building the card…</span>}
      </div>
      {shown.error && <p className="mc-error" role="alert">{shown.error}</p>}
      {!card && !shown.loading && !shown.error && <p className="mc-muted">Open a model card from the Models view, a run in the experiments panel, or the code lens on a flow's <code>model:</code>.</p>}
      {card && compare ? (
        <>
          <MetricsCompare a={compare} b={card} />
          <div className="mc-compare">
            <CardView card={compare} />
            <CardView card={card} />
          </div>
        </>
      ) : card ? <CardView card={card} /> : null}
    </main>
  );
}
