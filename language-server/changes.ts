// Coalesces edits: the first change after a quiet period is analysed at once (lowest latency for a single
// edit), further changes inside the interval are batched into one analysis at its end. Typing thus costs
// at most one analysis per interval, and a lone edit is not delayed by a trailing debounce.
export class ChangeBatcher {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private last = -Infinity;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (files: Set<string>) => Promise<void>,
  ) {}

  touch(file: string): void {
    this.schedule(file, Math.max(0, this.last + this.intervalMs - performance.now()));
  }

  /** A change whose first feedback was already given another way: analyse it at the end of the interval. */
  touchLater(file: string): void {
    this.schedule(file, this.intervalMs);
  }

  private schedule(file: string, wait: number): void {
    this.pending.add(file);
    if (!this.timer) this.timer = setTimeout(() => this.run(), wait);
  }

  /** Analyse pending changes now; resolves when every change so far is analysed. */
  flushNow(): Promise<void> {
    if (this.pending.size > 0) {
      clearTimeout(this.timer);
      this.run();
    }
    return this.running;
  }

  private run(): void {
    this.timer = undefined;
    this.last = performance.now();
    const files = new Set(this.pending);
    this.pending.clear();
    const previous = this.running;
    const current = this.flush(files);
    this.running = Promise.all([previous, current]).then(() => undefined);
  }
}
