// What the CLI knows about a run in progress, folded from its events; the live views and the
// final summary both read it.
import type { RunEvent, RunStatus, SourceLocation, StepOutcome } from '../../engine/events';

const LOG_TAIL_LINES = 30;

/** How a run is shown while it goes: a live terminal table or plain lines. */
export interface RunView {
  /** True when logs are not printed as they come, so the summary shows a failing step's last lines. */
  live: boolean;
  onEvent(event: RunEvent): void;
  /** A message from the CLI itself, e.g. that the run is being cancelled. */
  note(text: string): void;
  stop(): void;
}

export interface StepProgress {
  name: string;
  state: 'pending' | 'running' | StepOutcome;
  started?: number;
  durationMs?: number;
  attempt: number;
  reasons: string[];
  message?: string;
  location?: SourceLocation;
  /** Last lines of output, shown when the step fails. */
  tail: string[];
}

export class RunProgress {
  runId = '';
  flow = '';
  flowFile = '';
  status: RunStatus | undefined;
  durationMs = 0;
  readonly steps = new Map<string, StepProgress>();
  /** Final metrics by step, in the order steps ended. */
  readonly stepMetrics: Record<string, { metrics: Record<string, number> }> = {};
  readonly outputs: string[] = [];

  /** Returns the complete log lines an event carries, for views that print them. */
  apply(event: RunEvent): string[] {
    switch (event.type) {
      case 'run-start':
        this.runId = event.runId;
        this.flow = event.flow;
        this.flowFile = event.flowFile;
        for (const name of event.steps) this.step(name);
        return [];
      case 'step-start': {
        const s = this.step(event.step);
        s.state = 'running';
        s.started ??= event.time;
        s.attempt = event.attempt;
        s.reasons = event.reasons;
        return [];
      }
      case 'step-log':
        return this.appendLog(this.step(event.step), event.text);
      case 'step-end': {
        const s = this.step(event.step);
        s.state = event.outcome;
        s.durationMs = event.durationMs;
        s.message = event.message;
        s.location = event.location;
        if (event.metrics) this.stepMetrics[event.step] = { metrics: event.metrics };
        for (const out of event.outputs ?? []) this.outputs.push(out.path);
        return [];
      }
      case 'run-end':
        this.status = event.status;
        this.durationMs = event.durationMs;
        return [];
      default:
        return [];
    }
  }

  count(state: StepProgress['state']): number {
    let n = 0;
    for (const s of this.steps.values()) if (s.state === state) n++;
    return n;
  }

  private step(name: string): StepProgress {
    let s = this.steps.get(name);
    if (!s) {
      s = { name, state: 'pending', attempt: 0, reasons: [], tail: [] };
      this.steps.set(name, s);
    }
    return s;
  }

  /** The runner sends one line per event; a multi-line text is split so each line gets its prefix. */
  private appendLog(s: StepProgress, text: string): string[] {
    const parts = text.replace(/\r?\n$/, '').split(/\r?\n/);
    s.tail.push(...parts);
    if (s.tail.length > LOG_TAIL_LINES) s.tail.splice(0, s.tail.length - LOG_TAIL_LINES);
    return parts;
  }
}
