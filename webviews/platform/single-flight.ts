// At most one request of a kind in flight, the newest one waiting: what a search box needs to ask on every
// keystroke without a debounce (a debounce's pause alone exceeded the filter's 100 ms target) and without a
// queue of stale queries. Hand-written: twenty lines, where the libraries found (p-limit, p-queue) queue every
// call instead of keeping only the newest.

export class SingleFlight<P, R> {
  private busy = false;
  private waiting: { params: P } | undefined;

  /** `answer` hears only answers no newer call has overtaken; `failed`, every failure. */
  constructor(
    private readonly run: (params: P) => Promise<R>,
    private readonly answer: (result: R) => void,
    private readonly failed: (err: unknown) => void = () => undefined,
  ) {}

  /** Runs now if nothing is in flight, else replaces whatever waits and runs when the one in flight settles. */
  ask(params: P): void {
    if (this.busy) this.waiting = { params };
    else this.start(params);
  }

  private start(params: P): void {
    this.busy = true;
    this.run(params)
      .then(
        (result) => {
          if (!this.waiting) this.answer(result);
        },
        (err: unknown) => this.failed(err),
      )
      .finally(() => {
        this.busy = false;
        const next = this.waiting;
        this.waiting = undefined;
        if (next) this.start(next.params);
      });
  }
}
