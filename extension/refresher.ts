// Coalesces refresh requests the way file watchers and event streams produce them: in bursts.
// A request waits `delayMs` for the burst to settle; at most one refresh runs at a time, and a
// request that arrives while one is running schedules exactly one more run after it.

export class Refresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly delayMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Debounced: many calls within `delayMs` lead to one refresh. */
  request(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Refreshes as soon as the one in flight (if any) is done; resolves once a refresh started after this call has finished. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running) {
      this.followUp ??= this.running.then(() => {
        this.followUp = undefined;
        return this.flush();
      });
      return this.followUp;
    }
    this.running = this.work()
      .catch((err) => this.onError(err))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
