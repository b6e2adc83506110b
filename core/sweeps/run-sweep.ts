// Runs a sweep: every variant of the flow, up to `workers` at once, each in its own scratch workspace
// (workspace.ts) with its outs going to the project's cache and its run record to the project's run store.
// The sweep holds the project's .flowbench/lock for its whole length: the variants share one writer of the
// cache journal, stat cache and run index (this process), and a plain `flowbench run` waits meanwhile,
// since it would write the same journals. Steps that variants agree on run once (KeyedMutex per fingerprint).
//
// Cancelling stops the queue and the running variants (their step process groups, as for any run); a
// SIGKILL loses nothing: `--resume` reads the queue and re-runs exactly the variants without a final record.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatProblem, loadFlow } from '../flow/analyze';
import { projectRoot } from '../flow/confine';
import { ContentStore } from '../engine/cas';
import type { RunEventListener } from '../engine/events';
import { codeVersion } from '../engine/git';
import { ContentHasher } from '../engine/hasher';
import { KeyedMutex } from '../engine/keyed-mutex';
import { acquireStateLock, holderName, type LockHolder } from '../engine/run-lock';
import { runFlow, type SharedServices } from '../engine/runner';
import { stateDirOf } from '../engine/state';
import { randomRunId } from '../runs/id';
import { openRunStore, type RunStore } from '../runs/store';
import { expandSweep, type SweepSpec } from './expand';
import { listQueues, readQueue, sweepsDir, writeQueue, type SweepQueue } from './queue';
import { prepareWorkspace, workspaceProblem } from './workspace';
import { RealPathStatCache } from './real-stat-cache';

export type SweepStatus = 'succeeded' | 'failed' | 'cancelled';

export type SweepEvent =
  | { type: 'sweep-start'; sweepId: string; name: string; total: number; workers: number; resumed: boolean; time: number }
  | { type: 'sweep-progress'; sweepId: string; name: string; total: number; done: number; running: number; failed: number; etaMs?: number; time: number }
  | { type: 'variant-end'; sweepId: string; variant: number; runId: string; status: string; params: Record<string, unknown>; message?: string; time: number }
  | { type: 'sweep-end'; sweepId: string; name: string; status: SweepStatus; total: number; done: number; failed: number; time: number };

export interface SweepOptions {
  /** The project's flow file. */
  flowFile: string;
  /** A new sweep; or `resume`. */
  spec?: SweepSpec;
  /** `--set` values every variant of a new sweep shares. */
  overrides?: Record<string, unknown>;
  /** Resume this sweep id, or (true) the newest unfinished one (of `resumeName` when given). */
  resume?: string | true;
  resumeName?: string;
  /** Variants at once; default os.availableParallelism(). */
  workers?: number;
  signal?: AbortSignal;
  onEvent?: (e: SweepEvent) => void;
  /** Every variant's run events. */
  onRunEvent?: RunEventListener;
  wait?: boolean;
  onWait?: (holder: LockHolder) => void;
}

export interface SweepResult {
  id: string;
  name: string;
  status: SweepStatus;
  total: number;
  /** Variant index → run id of its final record. */
  runs: Map<number, string>;
  failed: number;
  /** Why the sweep did not start. */
  message?: string;
  lockedBy?: LockHolder;
}

const FINAL = new Set(['succeeded', 'failed']);

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const analysis = loadFlow(opts.flowFile);
  const { flow } = analysis;
  const stateDir = stateDirOf(flow);
  const refuse = (message: string, id = '', name = opts.spec?.name ?? ''): SweepResult => ({ id, name, status: 'failed', total: 0, runs: new Map(), failed: 0, message });
  const errors = analysis.problems.filter((p) => p.severity === 'error');
  if (errors.length) return refuse(`${flow.file} has errors; fix them before sweeping:\n${errors.map((p) => formatProblem(p)).join('\n')}`);
  const unfit = workspaceProblem(analysis);
  if (unfit) return refuse(`cannot sweep: ${unfit}`);

  let queue: SweepQueue;
  if (opts.resume !== undefined) {
    const found = opts.resume === true
      ? listQueues(stateDir).find((q) => (opts.resumeName === undefined || q.name === opts.resumeName) && q.variants.some((v) => !FINAL.has(v.state)))
      : readQueue(stateDir, opts.resume);
    if (!found) return refuse(opts.resume === true ? `no unfinished sweep${opts.resumeName ? ` '${opts.resumeName}'` : ''} in ${sweepsDir(stateDir)} to resume` : `no sweep '${opts.resume}' in ${sweepsDir(stateDir)}`);
    queue = found;
  } else {
    if (!opts.spec) return refuse('a sweep needs a spec or resume');
    const variants = expandSweep(opts.spec);
    if (!variants.length) return refuse(`sweep '${opts.spec.name}' has no variants`);
    const unknown = [...new Set(variants.flatMap((v) => Object.keys(v)))].filter((p) => !flow.params.has(p));
    if (unknown.length) return refuse(`unknown param${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; params are: ${[...flow.params.keys()].join(', ') || '(none)'}`);
    const id = randomRunId();
    queue = {
      version: 1, id, name: opts.spec.name, flowFile: flow.file, spec: opts.spec, overrides: opts.overrides ?? {}, created: Date.now(),
      variants: variants.map((params, index) => ({ index, params, state: 'queued' })),
    };
    writeQueue(stateDir, queue);
  }

  const locked = await acquireStateLock(stateDir, `sweep-${queue.id}`, { wait: opts.wait ?? true, signal: opts.signal, onWait: opts.onWait });
  if (!('lock' in locked)) {
    if ('cancelled' in locked) return { ...refuse('', queue.id, queue.name), status: 'cancelled', message: undefined };
    return { ...refuse(`${holderName(locked.busy.runId)} (pid ${locked.busy.pid}) is using ${stateDir}: one run or sweep at a time per folder`, queue.id, queue.name), lockedBy: locked.busy };
  }
  try {
    return await sweepLocked(opts, analysis, stateDir, queue, opts.resume !== undefined);
  } finally {
    locked.lock.release();
  }
}

async function sweepLocked(opts: SweepOptions, analysis: ReturnType<typeof loadFlow>, stateDir: string, queue: SweepQueue, resumed: boolean): Promise<SweepResult> {
  const { flow } = analysis;
  const store = openRunStore(stateDir);
  await store.markInterrupted();
  const runs = await reconcile(store, queue);
  writeQueue(stateDir, queue);

  const hasher = new ContentHasher(new RealPathStatCache(path.join(stateDir, 'statcache.json')));
  const cas = new ContentStore(stateDir, hasher);
  const total = queue.variants.length;
  const base: Omit<SharedServices, 'sweep'> = {
    store, cas, hasher,
    logsRoot: path.join(stateDir, 'logs'),
    work: new KeyedMutex(),
    flowFile: flow.file,
    code: await codeVersion(projectRoot(flow.root, fs.existsSync)),
  };
  const workers = Math.max(1, opts.workers ?? os.availableParallelism());
  const emit = (e: SweepEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // A view's bug must not strand running variants.
    }
  };
  emit({ type: 'sweep-start', sweepId: queue.id, name: queue.name, total, workers, resumed, time: Date.now() });

  const pending = queue.variants.filter((v) => !runs.has(v.index));
  let running = 0;
  let failed = queue.variants.filter((v) => v.state === 'failed' && runs.has(v.index)).length;
  const durations: number[] = [];
  const progress = () => {
    const left = total - runs.size;
    const mean = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined;
    const etaMs = mean !== undefined && left > 0 ? Math.round((mean * left) / Math.min(workers, left)) : undefined;
    emit({ type: 'sweep-progress', sweepId: queue.id, name: queue.name, total, done: runs.size, running, failed, ...(etaMs !== undefined ? { etaMs } : {}), time: Date.now() });
  };
  progress();

  const worker = async () => {
    for (;;) {
      if (opts.signal?.aborted) return;
      const variant = pending.shift();
      if (!variant) return;
      const dir = path.join(sweepsDir(stateDir), queue.id, String(variant.index));
      const scratchFlow = prepareWorkspace(analysis, dir);
      const runId = store.newRunId();
      variant.state = 'running';
      variant.runId = runId;
      writeQueue(stateDir, queue);
      running++;
      progress();
      const started = Date.now();
      const result = await runFlow({
        flowFile: scratchFlow,
        overrides: { ...queue.overrides, ...variant.params },
        jobs: 1,
        runId,
        signal: opts.signal,
        onEvent: opts.onRunEvent,
        shared: { ...base, sweep: { name: queue.name, id: queue.id, variant: variant.index, of: total } },
      });
      running--;
      if (result.status === 'succeeded' || (result.status === 'failed' && !result.message)) {
        variant.state = result.status;
        runs.set(variant.index, runId);
        durations.push(Date.now() - started);
        if (result.status === 'failed') failed++;
        // A failed variant's workspace stays for a look; its logs are in the project's .flowbench/logs/<run>.
        if (result.status === 'succeeded') fs.rmSync(dir, { recursive: true, force: true });
      } else {
        variant.state = 'queued';
      }
      writeQueue(stateDir, queue);
      emit({ type: 'variant-end', sweepId: queue.id, variant: variant.index, runId, status: result.status, params: variant.params, ...(result.message || result.error ? { message: result.message ?? result.error } : {}), time: Date.now() });
      progress();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, pending.length)) }, worker));
  } finally {
    cas.close();
    hasher.saveCache();
  }
  const status: SweepStatus = runs.size < total ? (opts.signal?.aborted ? 'cancelled' : 'failed') : failed ? 'failed' : 'succeeded';
  emit({ type: 'sweep-end', sweepId: queue.id, name: queue.name, status, total, done: runs.size, failed, time: Date.now() });
  return { id: queue.id, name: queue.name, status, total, runs, failed };
}

/**
 * Which variants are finished, from the run store: those with a final record tagged with this sweep. A
 * variant's records that are not final (interrupted by a kill, cancelled) are removed, so when it runs
 * again the sweep still has exactly one record per variant.
 */
async function reconcile(store: RunStore, queue: SweepQueue): Promise<Map<number, string>> {
  const runs = new Map<number, string>();
  const leftovers: string[] = [];
  for (const s of await store.list()) {
    if (s.sweep?.id !== queue.id) continue;
    if (FINAL.has(s.status) && !runs.has(s.sweep.variant)) runs.set(s.sweep.variant, s.id);
    else leftovers.push(s.id);
  }
  for (const id of leftovers) await store.remove(id);
  for (const v of queue.variants) {
    const runId = runs.get(v.index);
    if (runId) {
      v.runId = runId;
      const record = v.state === 'succeeded' || v.state === 'failed' ? undefined : await store.get(runId);
      if (record) v.state = record.status as 'succeeded' | 'failed';
    } else {
      v.state = 'queued';
      delete v.runId;
    }
  }
  return runs;
}
