// The experiments panel's real host controller in Node, bridged to the page the harness opens: what the
// webview posts goes to ExperimentsController.receive, what it posts comes back through the harness.
import { ExperimentsController, putListed, type RunActions, type RunSource } from '../../extension/panels/experiments-controller';
import type { MetricPoint, RunSummary } from '../../core/runs/types';
import type { HarnessHost } from './harness';

export interface ControllerHost {
  host: HarnessHost;
  controller(): ExperimentsController;
  /** Makes the controller now, as the open command does before the page loads (else: at the first message). */
  start(): void;
  /** Every action the panel asked for, as `action id`. */
  actions: string[];
  starred: Set<string>;
  csv: string[];
  /** Chart and compare exports the panel asked the host to save. */
  exports: { name: string; mime: string; data: Uint8Array | string }[];
  errors: string[];
}

export function controllerHost(
  summaries: RunSummary[],
  options: {
    confirmDelete?: boolean;
    throttleMs?: number;
    histories?: Record<string, Record<string, MetricPoint[]>>;
    /** Runs from here instead of `summaries` (a run store on disk, as the panel reads it). */
    source?: RunSource;
  } = {},
): ControllerHost {
  const starred = new Set<string>();
  const runs = new Map(summaries.map((s) => [s.id, s]));
  const record: ControllerHost = { host: undefined!, controller: () => controller!, start: () => void make(), actions: [], starred, csv: [], exports: [], errors: [] };
  let listed: ReadonlySet<string> = new Set();
  const source: RunSource = options.source ?? {
    load: async (sink) => {
      listed = putListed(sink, [...runs.values()], listed);
      return { starred: new Set(starred), notes: [] };
    },
    star: async (id, on) => void (on ? starred.add(id) : starred.delete(id)),
    remove: async (id) => void runs.delete(id),
    record: async (runId) => {
      const s = runs.get(runId);
      if (!s) return undefined;
      const writer = { pid: 0, hostname: 'test' };
      return { ...s, version: 1, steps: {}, artifacts: [], writer, updated: s.start, histories: options.histories?.[runId] ?? {} };
    },
  };
  const actions: RunActions = {
    run: async (action, run) => void record.actions.push(`${action} ${run.id}`),
    confirmDelete: async (run) => {
      record.actions.push(`confirm-delete ${run.id}`);
      return options.confirmDelete ?? true;
    },
    saveCsv: async (csv) => void record.csv.push(csv),
    saveExport: async (name, mime, data) => void record.exports.push({ name, mime, data }),
  };
  let controller: ExperimentsController | undefined;
  // Nothing is posted before the webview's Ready, which brings the harness's post.
  let toPage: ((message: unknown) => Promise<void>) | undefined;
  const make = () =>
    (controller ??= new ExperimentsController((m) => void toPage?.(m), source, actions, {
      throttleMs: options.throttleMs ?? 50,
      onError: (what, err) => record.errors.push(`${what}: ${(err as Error).message}`),
    }));
  record.host = {
    receive(message, post) {
      toPage = post;
      return make().receive(message);
    },
  };
  return record;
}
