// Which state a step shows: the live state of a run beats the status computed from disk, a failed,
// cancelled or skipped last run keeps saying so (a cancelled step must never look up to date), and a
// successful one stands only while the disk status agrees. No `vscode` import, so it is unit-tested.
import type { SourceLocation, StepOutcome } from '../core/engine/events';
import type { StepStatusState } from '../core/engine/status';

export type LiveState = 'queued' | 'running' | StepOutcome;

export interface LiveStep {
  state: LiveState;
  /** Why the engine decided to run it (step-start reasons). */
  reasons?: string[];
  durationMs?: number;
  message?: string;
  location?: SourceLocation;
}

export type ShownState = LiveState | StepStatusState | 'unknown';

export function shownState(disk: StepStatusState | undefined, live: LiveStep | undefined, activeRun: boolean): ShownState {
  if (live) {
    const lastRunGood = live.state === 'succeeded' || live.state === 'cached' || live.state === 'restored';
    if (activeRun || !lastRunGood || disk === 'up-to-date') return live.state;
  }
  return disk ?? 'unknown';
}
