// What every panel's host controller shares, vscode-free: the message channel to its webview and the calls
// PanelHost makes (`receive` each message, `hello` to a revived webview so it re-sends Ready, `dispose`).
import { Hello, type WireMessage } from '../../webviews/platform/protocol';
import { HostChannel } from './channel';

export abstract class ChannelController {
  protected readonly channel: HostChannel;

  constructor(post: (message: WireMessage) => void, onError: (what: string, err: unknown) => void) {
    this.channel = new HostChannel(post, onError);
  }

  receive(message: unknown): Promise<void> {
    return this.channel.receive(message);
  }

  hello(): void {
    this.channel.notify(Hello, {});
  }

  /** Stops the controller's own timers and loads; the base has none. */
  dispose(): void {}
}
