// View state that survives hiding the panel and reloading the window: kept in the webview's own state
// (getState/setState), which VS Code hands the panel serializer after a reload.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PanelClient } from './client';
import type { NotificationType } from './protocol';

/** `initial` merged under whatever was saved, so a state saved by an older version still loads. */
export function usePersistentState<S extends object>(client: PanelClient<S>, initial: S): [S, (update: (s: S) => S) => void] {
  const [state, setState] = useState<S>(() => ({ ...initial, ...(client.getState() ?? {}) }));
  useEffect(() => client.setState(state), [client, state]);
  const update = useCallback((fn: (s: S) => S) => setState(fn), []);
  return [state, update];
}

/** Subscribes to a host notification for the component's lifetime; the handler may change every render. */
export function useNotification<P>(client: PanelClient<unknown>, type: NotificationType<P>, handler: (params: P) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client.on(type, (params) => latest.current(params)), [client, type]);
}
