// The webview side of the message protocol: one client per panel, wrapping acquireVsCodeApi (which may be
// called only once per document). Handlers are registered per notification; requests return promises that
// settle when the host answers with the same id. A notification that comes before its handler is registered
// is held and handed to the handler when it registers, so `ready` can go out before the app has rendered
// (the host loads its data while React mounts).
import {
  Hello,
  isWireMessage,
  Ready,
  RESPONSE,
  type CommandType,
  type NotificationType,
  type RequestType,
  type WireMessage,
} from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const MAX_HELD = 100;

export class PanelClient<S> {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private readonly handlers = new Map<string, (params: unknown) => void>();
  /** Notifications no handler has taken yet, in arrival order (bounded: a panel that never listens loses them). */
  private held: { method: string; params: unknown }[] = [];
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private nextId = 1;
  private readySent = false;

  constructor() {
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    // The host may have restarted while this document stayed: it says Hello, we say Ready again.
    this.on(Hello, () => {
      this.readySent = false;
      this.ready();
    });
  }

  /** Starts the handshake: nothing flows from the host before this. mountPanel calls it; a second call (an
   *  app that also says ready once mounted) is a no-op until the host says Hello again. */
  ready(): void {
    if (this.readySent) return;
    this.readySent = true;
    this.post({ method: Ready.method, params: { state: this.getState() } });
  }

  send<P>(type: CommandType<P>, params: P): void {
    this.post({ method: type.method, params });
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ method: type.method, params, id });
    });
  }

  /** One handler per notification; returns the function that removes it. */
  on<P>(type: NotificationType<P>, handler: (params: P) => void): () => void {
    this.handlers.set(type.method, handler as (params: unknown) => void);
    const mine = this.held.filter((m) => m.method === type.method);
    if (mine.length > 0) {
      this.held = this.held.filter((m) => m.method !== type.method);
      for (const m of mine) handler(m.params as P);
    }
    return () => {
      if (this.handlers.get(type.method) === handler) this.handlers.delete(type.method);
    };
  }

  getState(): S | undefined {
    return (this.api.getState() as S | null) ?? undefined;
  }

  /** Survives hiding the panel and, through the host's serializer, a window reload. */
  setState(state: S): void {
    this.api.setState(state);
  }

  private post(message: WireMessage): void {
    this.api.postMessage(message);
  }

  private receive(data: unknown): void {
    if (!isWireMessage(data)) return;
    if (data.method === RESPONSE && data.id !== undefined) {
      const waiting = this.pending.get(data.id);
      this.pending.delete(data.id);
      const response = data as { error?: string; result?: unknown };
      if (response.error !== undefined) waiting?.reject(new Error(response.error));
      else waiting?.resolve(response.result);
      return;
    }
    const params = (data as { params: unknown }).params;
    const handler = this.handlers.get(data.method);
    if (handler) handler(params);
    else if (this.held.length < MAX_HELD) this.held.push({ method: data.method, params });
  }
}
