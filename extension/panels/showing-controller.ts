// What a panel host that shows one thing at a time (a model card, a SQL preview) does, vscode-free: keeps the
// target, loads it (a newer request wins over one still loading), publishes what is shown once the webview is
// ready, and shows the saved target again when a reloaded panel asks for it.
import type { NotificationType, WireMessage } from '../../webviews/platform/protocol';
import { ChannelController } from './channel-controller';

export type Shown<V> = Partial<V> & { error?: string; loading?: boolean };

export abstract class ShowingController<T, V extends object> extends ChannelController {
  protected shown: Shown<V> = {};
  private target: T | undefined;
  private ready = false;
  private generation = 0;

  constructor(
    post: (message: WireMessage) => void,
    private readonly changed: NotificationType<Shown<V> & { target?: T }>,
    protected readonly onError: (what: string, err: unknown) => void,
  ) {
    super(post, onError);
    this.channel.onReady<{ target?: T }>(async ({ state }) => {
      this.ready = true;
      if (!this.target && state?.target) return this.show(state.target);
      this.publish();
    });
  }

  /** What `target` shows; a thrown error's message is shown instead. */
  protected abstract fetch(target: T): Promise<V>;
  /** The message shown when `fetch` failed. */
  protected abstract failure(target: T, err: Error): string;

  /** Shows a target; resolves when it (or why it could not be) is shown. */
  async show(target: T): Promise<void> {
    const generation = ++this.generation;
    this.target = target;
    this.shown = { loading: true } as Shown<V>;
    this.publish();
    try {
      const value = await this.fetch(target);
      if (generation !== this.generation) return;
      this.shown = value as Shown<V>;
    } catch (err) {
      if (generation !== this.generation) return;
      this.shown = { error: this.failure(target, err as Error) } as Shown<V>;
    }
    this.publish();
  }

  get current(): T | undefined {
    return this.target;
  }

  override dispose(): void {
    this.generation++;
  }

  private publish(): void {
    if (!this.ready) return;
    this.channel.notify(this.changed, { ...(this.target !== undefined && { target: this.target }), ...this.shown });
  }
}
