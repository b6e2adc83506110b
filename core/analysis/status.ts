// Last-run facts about a step for hovers: the newest run of its flow in which the step ended (failed and
// cancelled included), else the engine's record of its last success. The editor must never fail because
// of them: a missing, stale or malformed record just means "no status".
import type { Flow } from '../flow/model';
import { stateDirOf, StepStateStore } from '../engine/state';
import { openRunStore, type RunStore } from '../runs/store';

export interface StepRunInfo {
  outcome: string;
  finishedAt: number;
  durationMs: number;
  runId: string;
  message?: string;
}

/** How many of a flow's newest runs to look through for one in which the step ended. */
const RUNS_TO_SEARCH = 10;
const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'cached', 'restored', 'interrupted']);

// Kept open: a long-lived store reads only the index lines added since its last read.
const stores = new Map<string, RunStore>();

export async function lastRun(flow: Flow, step: string): Promise<StepRunInfo | undefined> {
  try {
    const dir = stateDirOf(flow);
    let store = stores.get(dir);
    if (!store) stores.set(dir, (store = openRunStore(dir)));
    const runs = (await store.list()).filter((r) => r.flowFile === flow.file).slice(0, RUNS_TO_SEARCH);
    for (const summary of runs) {
      const s = (await store.get(summary.id))?.steps[step];
      if (s && ENDED.has(s.state) && s.end !== undefined) {
        return { outcome: s.state, finishedAt: s.end, durationMs: s.durationMs ?? 0, runId: summary.id, ...(s.message && { message: s.message }) };
      }
    }
  } catch {
    // An unreadable run store falls back to the step's state record.
  }
  return lastSuccess(flow, step);
}

function lastSuccess(flow: Flow, step: string): StepRunInfo | undefined {
  try {
    const state = new StepStateStore(flow).read(step);
    if (!state || typeof state.finishedAt !== 'number' || typeof state.durationMs !== 'number') return undefined;
    return { outcome: 'succeeded', finishedAt: state.finishedAt, durationMs: state.durationMs, runId: String(state.runId) };
  } catch {
    return undefined;
  }
}

