// The engine's up-to-date check per flow, for the status code lens. It hashes files, so it runs in the
// background: lenses show the last known answer and the client is asked to refresh when a new one lands.
import { flowStatus, type StepStatus } from '../core/engine/status';

export class StatusCache {
  private readonly known = new Map<string, Map<string, StepStatus>>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();

  constructor(private readonly onUpdate: () => void) {}

  /** Last known statuses of a flow's steps; starts a computation when there are none or they are outdated. */
  get(flowFile: string): Map<string, StepStatus> | undefined {
    if (!this.known.has(flowFile) || this.dirty.has(flowFile)) this.compute(flowFile);
    return this.known.get(flowFile);
  }

  /** Something the statuses depend on changed on disk (the flow, a dep, a run finished). */
  invalidate(flowFile: string): void {
    this.dirty.add(flowFile);
  }

  private compute(flowFile: string): void {
    if (this.running.has(flowFile)) return;
    this.running.add(flowFile);
    this.dirty.delete(flowFile);
    flowStatus(flowFile)
      .then((status) => {
        this.known.set(flowFile, status.steps);
        this.onUpdate();
      })
      .catch(() => {
        // No status is better than a broken lens: the run commands still work.
      })
      .finally(() => this.running.delete(flowFile));
  }
}
