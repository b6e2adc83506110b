// The SQL preview panel's host side, vscode-free: which step is shown, getting its preview (through `load`,
// the CLI in the real editor) and the panel's refresh.
import type { WireMessage } from '../../webviews/platform/protocol';
import { PreviewChanged, Refresh, type PreviewTarget, type SqlPreviewData } from '../../webviews/sql-preview/contract';
import { ShowingController } from './showing-controller';

export class SqlPreviewController extends ShowingController<PreviewTarget, { preview: SqlPreviewData }> {
  constructor(
    post: (message: WireMessage) => void,
    private readonly load: (target: PreviewTarget) => Promise<SqlPreviewData>,
    onError: (what: string, err: unknown) => void = () => undefined,
  ) {
    super(post, PreviewChanged, onError);
    this.channel.onCommand(Refresh, () => (this.current ? this.show(this.current) : undefined));
  }

  protected async fetch(target: PreviewTarget) {
    return { preview: await this.load(target) };
  }

  /** The CLI's message already names the SQL file, line and column. */
  protected failure(_target: PreviewTarget, err: Error): string {
    return err.message;
  }
}
