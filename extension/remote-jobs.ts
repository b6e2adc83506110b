// SageMaker jobs of the runs in flight, from their `step-remote` events, as the status bar shows them:
// vscode-free so its rules are tested without an editor.
import type { RemoteJob, RunEvent } from '../core/engine/events';

export class RemoteJobs {
  private readonly running = new Map<string, RemoteJob>();

  /** Takes a run's event; true when the set of running jobs changed. */
  onEvent(event: RunEvent): boolean {
    if (event.type !== 'step-remote') return false;
    const key = `${event.runId}\0${event.step}`;
    if (event.job.status === 'InProgress' || event.job.status === 'Stopping') this.running.set(key, event.job);
    else if (!this.running.delete(key)) return false;
    return true;
  }

  forgetRun(runId: string): void {
    for (const key of [...this.running.keys()]) if (key.startsWith(`${runId}\0`)) this.running.delete(key);
  }

  /** ` · sagemaker ml.m5.xlarge` (with `+N` for more jobs at once), or '' when none runs. */
  label(): string {
    const jobs = [...this.running.values()];
    if (!jobs.length) return '';
    const first = jobs[0]!;
    return ` · $(cloud) sagemaker ${first.instanceType}${first.spot ? ' spot' : ''}${jobs.length > 1 ? ` +${jobs.length - 1}` : ''}`;
  }

  tooltip(): string {
    return [...this.running.values()].map((j) => `SageMaker ${j.kind} job ${j.jobName} on ${j.instanceCount} × ${j.instanceType}${j.spot ? ' (spot)' : ''}`).join('\n');
  }
}
