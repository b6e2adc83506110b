// Where the experiments panel's runs come from: the run store of every flow in the workspace (one
// .flowbench per flow folder), vscode-free. Remembers which store each run is in, for stars, deletes and
// the row actions.
import { openRunStore, type RunStore } from '../../core/runs/store';
import type { RunSummary } from '../../core/runs/types';
import type { RunSource } from './experiments-controller';

export interface WorkspaceRuns extends RunSource {
  /** The state folder (.flowbench) holding a run, once loaded. */
  stateDirOf(runId: string): string | undefined;
  storeOf(runId: string): RunStore | undefined;
}

export function workspaceRuns(stateDirs: () => Iterable<string>, warn: (message: string) => void): WorkspaceRuns {
  const stores = new Map<string, RunStore>();
  const where = new Map<string, string>();
  const storeAt = (dir: string) => {
    let store = stores.get(dir);
    if (!store) stores.set(dir, (store = openRunStore(dir, { warn: (message) => notes.push(message) })));
    return store;
  };
  let notes: string[] = [];
  const storeOf = (runId: string) => {
    const dir = where.get(runId);
    return dir === undefined ? undefined : storeAt(dir);
  };
  return {
    async load() {
      notes = [];
      const summaries: RunSummary[] = [];
      const starred = new Set<string>();
      where.clear();
      for (const dir of new Set(stateDirs())) {
        const store = storeAt(dir);
        for (const s of await store.list()) {
          where.set(s.id, dir);
          summaries.push(s);
        }
        for (const id of await store.starred()) starred.add(id);
      }
      for (const note of notes) warn(note);
      return { summaries, starred, notes: [...notes] };
    },
    async star(run, on) {
      await storeOf(run.id)?.star(run.id, on);
    },
    async remove(run) {
      await storeOf(run.id)?.remove(run.id);
    },
    record: async (runId) => storeOf(runId)?.get(runId),
    stateDirOf: (runId) => where.get(runId),
    storeOf,
  };
}
