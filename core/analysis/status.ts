// Last-run facts about a step, read from the engine's state records. The editor must never fail because
// of them: a missing, stale or malformed record just means "no status".
import type { Flow } from '../flow/model';
import { StepStateStore, type StepState } from '../engine/state';

export interface StepRunInfo {
  finishedAt: number;
  durationMs: number;
  runId: string;
}

export function lastSuccess(flow: Flow, step: string): StepRunInfo | undefined {
  try {
    const state: StepState | undefined = new StepStateStore(flow).read(step);
    if (!state || typeof state.finishedAt !== 'number' || typeof state.durationMs !== 'number') return undefined;
    return { finishedAt: state.finishedAt, durationMs: state.durationMs, runId: String(state.runId) };
  } catch {
    return undefined;
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
