// The flow-graph panel: a header (flow name, counts by status) over the shared FlowGraph component. The
// graph arrives laid out; status deltas replace only the nodes they name, so unchanged nodes keep their
// status objects and FlowGraph's memoised nodes do not re-render.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PanelClient } from '../platform';
import { useNotification } from '../platform';
import { FlowGraph, STATE_LABELS } from '../graph/flow-graph';
import type { NodeState, NodeStatus } from '../graph/types';
import { OpenNode, RunNode, ShowGraph, ShowMessage, StatusPatched, type GraphShown, type ViewState } from './contract';

export function App({ client }: { client: PanelClient<ViewState> }) {
  const [shown, setShown] = useState<GraphShown | undefined>();
  const [status, setStatus] = useState<Record<string, NodeStatus>>({});
  const [message, setMessage] = useState<string | undefined>();

  useNotification(client, ShowGraph, (params) => {
    setShown(params);
    setStatus(params.status);
    setMessage(undefined);
    client.setState({ flowFile: params.flowFile });
  });
  useNotification(client, StatusPatched, ({ flowFile, status: delta }) => {
    if (flowFile !== shown?.flowFile) return;
    setStatus((current) => {
      const next = { ...current };
      for (const [id, s] of Object.entries(delta)) {
        if (s) next[id] = s;
        else delete next[id];
      }
      return next;
    });
  });
  useNotification(client, ShowMessage, ({ message }) => {
    setShown(undefined);
    setMessage(message);
  });
  useEffect(() => client.ready(), [client]);

  const counts = useMemo(() => {
    const by = new Map<NodeState, number>();
    for (const s of Object.values(status)) by.set(s.state, (by.get(s.state) ?? 0) + 1);
    return [...by].sort((a, b) => b[1] - a[1]);
  }, [status]);

  const flowFile = shown?.flowFile;
  // Stable while the flow stays, so a status delta re-renders only the nodes it changed.
  const open = useCallback((id: string) => flowFile && client.send(OpenNode, { flowFile, id }), [client, flowFile]);
  const run = useCallback((id: string) => flowFile && client.send(RunNode, { flowFile, id }), [client, flowFile]);

  if (!shown) return <div className="fg-empty fb-muted">{message ?? 'Loading the flow graph…'}</div>;
  return (
    <div className="fg-panel">
      <header className="fg-header">
        <h1 className="fg-title">{shown.title}</h1>
        <span className="fb-muted" aria-live="polite">
          {counts.map(([state, n]) => `${n} ${STATE_LABELS[state]}`).join(' · ')}
        </span>
        {shown.errors > 0 && (
          <span className="fb-error">
            {shown.errors} problem{shown.errors === 1 ? '' : 's'} in the flow file
          </span>
        )}
        <span className="fb-muted fg-hint">Click or Enter opens a definition{shown.canRun ? ' · R runs the step' : ''} · arrows move · +/−/0 zoom</span>
      </header>
      <div className="fg-canvas">
        <FlowGraph
          graph={shown.graph}
          status={status}
          label={`Flow graph of ${shown.title}`}
          onOpen={open}
          onRun={shown.canRun ? run : undefined}
        />
      </div>
    </div>
  );
}
