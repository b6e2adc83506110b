// Coalesces edits: the first change after a quiet period is analysed at once (lowest latency for a single
// edit), further changes inside the interval are batched into one analysis at its end. Typing thus costs
// at most one analysis per interval, and a lone edit is not delayed by a trailing debounce.
export class ChangeBatcher {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (files: Set<string>) => void,
  ) {}

  touch(file: string): void {
    this.pending.add(file);
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - performance.now());
    this.timer = setTimeout(() => this.run(), wait);
  }

  /** Analyse pending changes now: a request must see the text it was sent against. */
  flushNow(): void {
    if (this.pending.size === 0) return;
    clearTimeout(this.timer);
    this.run();
  }

  private run(): void {
    this.timer = undefined;
    this.last = performance.now();
    const files = new Set(this.pending);
    this.pending.clear();
    this.flush(files);
  }
}
