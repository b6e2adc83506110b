// Where the experiments panel's runs come from: the run store of every flow in the workspace (one
// .flowbench per flow folder), vscode-free. Each store is read incrementally (a SummaryReader): a reload
// parses only what was appended since. Remembers which store each run is in, for stars, deletes and the
// row actions.
import { openRunStore, type RunStore, type SummaryReader, type SummarySink } from '../../core/runs/store';
import type { RunTable } from '../../core/runs/table';
import type { RunSource } from './experiments-controller';

export interface WorkspaceRuns extends RunSource {
  /** The state folder (.flowbench) holding a run, once loaded. */
  stateDirOf(runId: string): string | undefined;
  storeOf(runId: string): RunStore | undefined;
}

export function workspaceRuns(stateDirs: () => Iterable<string>, warn: (message: string) => void): WorkspaceRuns {
  const stores = new Map<string, { store: RunStore; reader?: SummaryReader }>();
  const where = new Map<string, string>();
  /**
   * The first table's runs (no other store's run yet to clash with), which join `where` when it is next asked
   * (every use of `where` goes through whereNow()): not before the first rows (a Map of 100,000 ids is 40-70 ms
   * of a reopen).
   */
  let first: { dir: string; ids: string[] } | undefined;
  const whereNow = () => {
    if (first) for (const id of first.ids) where.set(id, first.dir);
    first = undefined;
    return where;
  };
  let notes: string[] = [];
  const storeAt = (dir: string) => {
    let entry = stores.get(dir);
    if (!entry) stores.set(dir, (entry = { store: openRunStore(dir, { warn: (message) => notes.push(message) }) }));
    return entry;
  };
  const storeOf = (runId: string) => {
    const dir = whereNow().get(runId);
    return dir === undefined ? undefined : storeAt(dir).store;
  };
  /** The sink of one store's reader: the panel's, noting which store each run is in. */
  const sinkFor = (dir: string, sink: SummarySink): SummarySink => ({
    put(summary) {
      // A run id found in two stores (a copied .flowbench) stays with the first.
      const owner = whereNow().get(summary.id);
      if (owner !== undefined && owner !== dir) return;
      where.set(summary.id, dir);
      sink.put(summary);
    },
    drop(id) {
      if (whereNow().get(id) !== dir) return;
      where.delete(id);
      sink.drop(id);
    },
    ...(sink.putTable && {
      putTable(runs: RunTable) {
        if (where.size === 0 && !first) first = { dir, ids: runs.ids() };
        else {
          const owners = whereNow();
          for (const id of runs.ids()) {
            const owner = owners.get(id);
            if (owner !== undefined && owner !== dir) runs.remove(id);
            else owners.set(id, dir);
          }
        }
        sink.putTable!(runs);
      },
    }),
  });
  return {
    async load(sink) {
      notes = [];
      const starred = new Set<string>();
      const dirs = new Set(stateDirs());
      for (const [dir, entry] of stores) {
        if (dirs.has(dir) || !entry.reader) continue;
        // A flow folder that went away takes its runs with it.
        for (const [id, owner] of [...whereNow()]) if (owner === dir) sinkFor(dir, sink).drop(id);
        stores.delete(dir);
      }
      let unchecked = false;
      for (const dir of dirs) {
        const entry = storeAt(dir);
        entry.reader ??= entry.store.summaryReader(sinkFor(dir, sink));
        // A store read from its table cache is checked against its run folders at the next load, which the
        // panel asks for once its first rows are out (RunSource.load's `unchecked`).
        if ((await entry.reader.read({ deferCheck: true })).unchecked) unchecked = true;
        for (const id of await entry.store.starred()) starred.add(id);
      }
      for (const note of notes) warn(note);
      return { starred, notes: [...notes], ...(unchecked && { unchecked }) };
    },
    async star(runId, on) {
      await storeOf(runId)?.star(runId, on);
    },
    async remove(runId) {
      await storeOf(runId)?.remove(runId);
    },
    record: async (runId, historyKey) => storeOf(runId)?.get(runId, historyKey),
    async historyKeys(runIds) {
      const keys = new Set<string>();
      for (const runId of runIds) for (const key of (await storeOf(runId)?.historyKeys(runId)) ?? []) keys.add(key);
      return [...keys].sort();
    },
    stateDirOf: (runId) => whereNow().get(runId),
    storeOf,
  };
}
