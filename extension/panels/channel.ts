// The host side of the message protocol (webviews/platform/protocol.ts), vscode-free so a controller can be
// driven from a Node test or benchmark: messages go out through `post`, come in through `receive`.
import {
  isWireMessage,
  Ready,
  RESPONSE,
  type CommandType,
  type NotificationType,
  type ReadyParams,
  type RequestType,
  type WireMessage,
} from '../../webviews/platform/protocol';

type Handler = (params: unknown) => unknown;

export class HostChannel {
  private readonly commands = new Map<string, Handler>();
  private readonly requests = new Map<string, Handler>();

  constructor(
    private readonly post: (message: WireMessage) => void,
    private readonly onError: (what: string, err: unknown) => void,
  ) {}

  onCommand<P>(type: CommandType<P>, handler: (params: P) => void | Promise<void>): void {
    this.commands.set(type.method, handler as Handler);
  }

  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): void {
    this.requests.set(type.method, handler as Handler);
  }

  /** The webview's side of the handshake; `ready` runs before anything is sent to the webview. */
  onReady<S>(handler: (params: ReadyParams<S>) => void | Promise<void>): void {
    this.onCommand(Ready as CommandType<ReadyParams<S>>, handler);
  }

  notify<P>(type: NotificationType<P>, params: P): void {
    this.post({ method: type.method, params });
  }

  async receive(data: unknown): Promise<void> {
    if (!isWireMessage(data) || data.method === RESPONSE) return;
    const params = (data as { params?: unknown }).params;
    if (data.id !== undefined) {
      const handler = this.requests.get(data.method);
      try {
        if (!handler) throw new Error(`no handler for request ${data.method}`);
        this.post({ method: RESPONSE, id: data.id, result: await handler(params) });
      } catch (err) {
        this.onError(data.method, err);
        this.post({ method: RESPONSE, id: data.id, error: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    const handler = this.commands.get(data.method);
    if (!handler) return this.onError(data.method, new Error(`no handler for command ${data.method}`));
    try {
      await handler(params);
    } catch (err) {
      this.onError(data.method, err);
    }
  }
}
