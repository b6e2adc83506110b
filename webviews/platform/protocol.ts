// The message protocol every panel speaks, shared by the webview and the extension host (pure TS: no DOM, no
// vscode). Each message is declared once as a typed constant (GitLens's protocol.ts is the model); handlers are
// registered per message, so no side has a switch over every message name.
//
//   command       webview → host, no answer
//   notification  host → webview
//   request       webview → host, answered with the same id (a completion id) by a response

export interface CommandType<P> {
  readonly kind: 'command';
  readonly method: string;
  /** Never set: carries the payload type. */
  readonly _params?: P;
}
export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly _params?: P;
}
export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly _params?: P;
  readonly _result?: R;
}

export const command = <P>(method: string): CommandType<P> => ({ kind: 'command', method });
export const notification = <P>(method: string): NotificationType<P> => ({ kind: 'notification', method });
export const request = <P, R>(method: string): RequestType<P, R> => ({ kind: 'request', method });

export type ParamsOf<T> = T extends { readonly _params?: infer P } ? P : never;
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

/** What crosses postMessage. A response carries the id of the request it answers. */
export type WireMessage =
  | { method: string; params: unknown; id?: undefined }
  | { method: string; params: unknown; id: number }
  | { method: typeof RESPONSE; id: number; result?: unknown; error?: string };

export const RESPONSE = '$response';

export function isWireMessage(data: unknown): data is WireMessage {
  return typeof data === 'object' && data !== null && typeof (data as { method?: unknown }).method === 'string';
}

// The handshake, the same for every panel: the webview says it is ready (with the view state it saved), and
// only then does the host send anything. After an extension host restart the webview is still there and the
// host is new: the host asks again with `Hello`, the webview answers with `Ready`, and the host re-sends state.
export interface ReadyParams<S> {
  /** The state the webview saved with setState, if any (the host re-applies it: filter, sort, selection). */
  state: S | undefined;
}
export const Ready = command<ReadyParams<unknown>>('platform/ready');
export const Hello = notification<Record<string, never>>('platform/hello');
/** A webview error the user saw (error boundary): the host logs it, so it is not only on screen. */
export const ReportError = command<{ message: string; stack?: string }>('platform/error');
