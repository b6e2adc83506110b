// The webview side of the panel platform (see webviews/README.md): mount a panel's app with its client, error
// boundary and base theme.
import type { ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import { PanelClient } from './client';
import { ErrorBoundary } from './error-boundary';
import { ReportError } from './protocol';
import './theme.css';

export { PanelClient } from './client';
export { onKeys, chordOf, type KeyMap } from './keyboard';
export { usePersistentState, useNotification } from './state';
export { SingleFlight } from './single-flight';

/** Renders the panel into #root and starts the handshake at once: what the host sends before the app's
 *  handlers are registered is held for them (client.ts). */
export function mountPanel<S>(render: (client: PanelClient<S>) => ReactElement): void {
  const client = new PanelClient<S>();
  client.ready();
  const report = (message: string, stack?: string) => client.send(ReportError, { message, stack });
  window.addEventListener('error', (event) => report(event.message, (event.error as Error | undefined)?.stack));
  window.addEventListener('unhandledrejection', (event) => report(String((event.reason as Error)?.message ?? event.reason)));
  const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
  createRoot(root).render(
    <ErrorBoundary onError={report}>{render(client)}</ErrorBoundary>,
  );
}
