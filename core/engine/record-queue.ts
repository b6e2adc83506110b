// Cache manifests and step states of finished steps, written on the next turn of the event loop: by then
// the next step's process has been spawned, so the writes overlap with it instead of delaying it.
// Losing queued writes to a crash is safe: the step just runs (or is restored) again next time.

export class RecordQueue {
  private readonly pending: { step: string; write: () => void }[] = [];
  private queued = false;

  constructor(private readonly onError: (step: string, err: Error) => void) {}

  add(step: string, write: () => void): void {
    this.pending.push({ step, write });
    if (!this.queued) setImmediate(() => this.flush());
    this.queued = true;
  }

  flush(): void {
    this.queued = false;
    for (const { step, write } of this.pending.splice(0)) {
      try {
        write();
      } catch (err) {
        this.onError(step, err as Error);
      }
    }
  }
}
