// One holder at a time per key, in one process. A sweep's variants take the lock of a step's fingerprint
// before they look in the cache: the first runs the step and records its outs, the others, let in one by
// one after it, find the manifest and restore. That is per-fingerprint single flight without a second
// code path: a waiter whose producer failed simply runs the step itself.

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with the release function once `key` is free; resolves undefined if `signal` aborts first. */
  async acquire(key: string, signal?: AbortSignal): Promise<(() => void) | undefined> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((ok) => (release = ok));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    const done = () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    if (signal?.aborted) {
      // Still queued behind `before`: release when our turn would have come, so later holders are not stuck.
      void before.then(done);
      return undefined;
    }
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((ok) => {
      onAbort = () => ok('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const won = await Promise.race([before.then(() => 'free' as const), aborted]);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (won === 'aborted') {
      void before.then(done);
      return undefined;
    }
    return done;
  }
}
