// SQL files as last read from disk, kept until the editor says they changed. Every edit of a flow re-analyses
// all the SQL files it names (hundreds in a large flow), and reading them again was a sixth of that work.
// The client watches `**/*.sql` for creation, change and deletion (extension/language-client.ts); each such
// event, and closing an editor on the file, drops the file's entry. Files outside the workspace folders get
// no events, so they are read every time.
import { diskHost } from '../core/flow/host';

export class DiskTexts {
  private readonly texts = new Map<string, string>();

  /** `watched`: whether the client reports changes to this file (it lies in a workspace folder). */
  constructor(private readonly watched: (file: string) => boolean) {}

  read(file: string): string | undefined {
    if (!file.endsWith('.sql') || !this.watched(file)) return diskHost.readText(file);
    const known = this.texts.get(file);
    if (known !== undefined) return known;
    const text = diskHost.readText(file);
    // A missing file is asked again: its creation is an event too, but a lookup is cheap.
    if (text !== undefined) this.texts.set(file, text);
    return text;
  }

  forget(file: string): void {
    this.texts.delete(file);
  }
}
