// One step's log: every line goes out as a `step-log` event at once and to .flowbench/logs/<runId>/<step>.log
// in batches (a chatty step must not cost one write per line). A step that printed nothing has no file.
// A write that fails (full disk, log folder removed) is reported once, never thrown from the timer.
import * as fs from 'node:fs';
import type { RunEvent } from './events';

const FLUSH_MS = 200;

export class StepLog {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  /** Last stderr lines, kept to find where a failing step broke. */
  readonly stderrTail: string[] = [];

  constructor(
    private readonly file: string,
    private readonly runId: string,
    private readonly step: string,
    private readonly emit: (e: RunEvent) => void,
    private readonly onWriteError: (message: string) => void,
  ) {}

  line(stream: 'stdout' | 'stderr', text: string): void {
    this.emit({ type: 'step-log', runId: this.runId, step: this.step, stream, text, time: Date.now() });
    this.buffer += text + '\n';
    if (stream === 'stderr') {
      this.stderrTail.push(text);
      if (this.stderrTail.length > 200) this.stderrTail.shift();
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** A note from the engine itself, marked so it cannot be mistaken for the step's own output. */
  note(text: string): void {
    this.line('stderr', `flowbench: ${text}`);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer) return;
    const text = this.buffer;
    this.buffer = '';
    if (this.failed) return;
    try {
      fs.appendFileSync(this.file, text);
    } catch (err) {
      this.failed = true;
      this.onWriteError(`could not write the log of step ${this.step}: ${(err as Error).message}`);
    }
  }
}
