// Runs a flow: picks the steps, brings each one up to date in DAG order with up to `jobs` at a time,
// streams every event to the caller and to the run store, and cancels cleanly on abort.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatProblem, loadFlow, type FlowAnalysis } from '../flow/analyze';
import { projectRoot } from '../flow/confine';
import { openRunStore, type RunStore } from '../runs/store';
import { remoteProblems } from '../sagemaker/settings';
import type { SqlExecutor } from '../sql/execute';
import { ContentStore } from './cas';
import type { RunEvent, RunEventListener, RunStatus, StepOutcome } from './events';
import { baseEnvironment } from './env';
import { codeVersion } from './git';
import { ContentHasher } from './hasher';
import { leafParams, resolveParams } from './params';
import { Reaper } from './reaper';
import { RecordQueue } from './record-queue';
import { acquireStateLock, type LockHolder } from './run-lock';
import { selectSteps, type Scope } from './select';
import { stateDirOf, StepStateStore } from './state';
import { StatCache } from './statcache';
import { StatusEvaluator } from './status';
import { runStep, type RunContext, type StepEnd } from './step-run';
import type { KeyedMutex } from './keyed-mutex';

export interface RunOptions {
  flowFile: string;
  targets?: string[];
  scope?: Scope;
  overrides?: Record<string, unknown>;
  /** Steps running at once; default os.availableParallelism(). */
  jobs?: number;
  /** Run even steps that are up to date or cached. */
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  runId?: string;
  /** When another run holds the folder's state: wait for it (default), or give up at once (`lockedBy`). */
  wait?: boolean;
  /** Follow a SageMaker job a runner that died left for a step, instead of refusing to start another (`run --attach`). */
  attach?: boolean;
  /** Set by a sweep: the flow file is a variant's scratch copy, and the sweep (which holds the lock) lends its services. */
  shared?: SharedServices;
  /** Read Snowflake sources as of this time (ISO, Time Travel): replays a run from the change times it recorded. */
  snowflakeAt?: string;
}

/**
 * What the variants of a sweep share, in the sweep's process: the project's run store, cache and stat
 * cache (one writer for each), where logs go, and one lock per fingerprint so work common to several
 * variants runs once (see KeyedMutex). The scratch workspace keeps its own warehouse, tables and step state.
 */
export interface SharedServices {
  store: RunStore;
  cas: ContentStore;
  hasher: ContentHasher;
  logsRoot: string;
  work: KeyedMutex;
  /** What the record says: the project's flow file and code version, not the scratch copy's. */
  flowFile: string;
  code: { commit?: string; dirty: boolean };
  sweep: NonNullable<Extract<RunEvent, { type: 'run-start' }>['sweep']>;
}

export interface StepResult {
  outcome: StepOutcome;
  durationMs: number;
  attempts: number;
  message?: string;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  steps: Map<string, StepResult>;
  /** Why the run did not start (invalid flow, unknown step or param), one problem per line. */
  message?: string;
  /** Why the run stopped early as failed: the engine could not write under .flowbench/ (full disk, removed folder). */
  error?: string;
  /** With `wait: false`: the run that holds the folder's state, so this one did not start. */
  lockedBy?: LockHolder;
}

const NOT_RUN: ReadonlySet<StepOutcome> = new Set(['failed', 'cancelled', 'skipped']);

export async function runFlow(opts: RunOptions): Promise<RunResult> {
  const analysis = loadFlow(opts.flowFile);
  const { flow, graph } = analysis;
  const refuse = (message: string): RunResult => ({ runId: opts.runId ?? '', status: 'failed', steps: new Map(), message });
  const errors = analysis.problems.filter((p) => p.severity === 'error');
  if (errors.length) return refuse(`${flow.file} has errors; fix them before running:\n${errors.map((p) => formatProblem(p)).join('\n')}`);
  const params = resolveParams(flow, opts.overrides);
  if (params.unknown.length) return refuse(`unknown param${params.unknown.length > 1 ? 's' : ''} ${params.unknown.join(', ')} in overrides; params are: ${[...flow.params.keys()].join(', ') || '(none)'}`);
  const selection = selectSteps(graph, opts.targets, opts.scope);
  if ('error' in selection) return refuse(selection.error);
  const remote = remoteProblems(flow, selection.steps);
  // Found before anything runs: a job that cannot start must not cost the steps before it.
  if (remote.length) return refuse(remote.join('\n'));

  const stateDir = stateDirOf(flow);
  // A sweep's variant: the sweep holds the project's lock for all of them.
  if (opts.shared) return runLocked(opts, analysis, params, selection, opts.shared.store, opts.runId ?? opts.shared.store.newRunId());
  const store = openRunStore(stateDir);
  const runId = opts.runId ?? store.newRunId();
  const locked = await acquireStateLock(stateDir, runId, {
    wait: opts.wait ?? true,
    signal: opts.signal,
    onWait: ({ runId: holderRun, pid, hostname, since }) => {
      try {
        opts.onEvent?.({ type: 'run-waiting', runId, holder: { runId: holderRun, pid, hostname, since }, time: Date.now() });
      } catch {
        // A throwing listener must not keep the run waiting forever; the run's own events will throw again.
      }
    },
  });
  if (!('lock' in locked)) {
    if (!opts.runId) forgetRunId(stateDir, runId);
    if ('cancelled' in locked) return { runId, status: 'cancelled', steps: new Map() };
    const { runId: holderRun, pid } = locked.busy;
    return { ...refuse(`run ${holderRun} (pid ${pid}) is using ${stateDir}: one run at a time per folder`), runId, lockedBy: locked.busy };
  }
  try {
    return await runLocked(opts, analysis, params, selection, store, runId);
  } finally {
    locked.lock.release();
  }
}

/** A run that never started leaves no trace: its reserved, empty folder goes. */
function forgetRunId(stateDir: string, runId: string): void {
  try {
    fs.rmdirSync(path.join(stateDir, 'runs', runId));
  } catch {
    // Gone already, or not empty: the run store skips a folder without a record.
  }
}

/** The run itself, once this process holds the folder's state. */
async function runLocked(
  opts: RunOptions,
  analysis: FlowAnalysis,
  params: { values: Map<string, unknown> },
  selection: { steps: Set<string> },
  store: RunStore,
  runId: string,
): Promise<RunResult> {
  const { flow, graph } = analysis;
  const stateDir = stateDirOf(flow);
  // Steps see one signal, aborted with the reason: the caller's cancel, or a write of the engine's own that failed.
  const stop = new AbortController();
  let error: string | undefined;
  const stopRun = (reason: string): void => {
    error ??= reason;
    stop.abort(`stopped: ${reason}`);
  };
  const cancel = () => stop.abort('cancelled');
  if (opts.signal?.aborted) cancel();
  else opts.signal?.addEventListener('abort', cancel, { once: true });
  const shared = opts.shared;
  if (!shared) await store.markInterrupted();
  const recorder = store.recorder(stopRun);
  // A throwing listener is a bug in the caller, but it must not strand running processes: the run goes
  // on and the error is thrown once everything has stopped.
  let listenerError: unknown;
  const emit = (e: RunEvent): void => {
    recorder(e);
    try {
      opts.onEvent?.(e);
    } catch (err) {
      listenerError ??= err;
    }
  };
  const signal = stop.signal;
  const logsDir = path.join(shared?.logsRoot ?? path.join(stateDir, 'logs'), runId);
  fs.mkdirSync(logsDir, { recursive: true });
  const reaper = new Reaper();
  const hasher = shared?.hasher ?? new ContentHasher(new StatCache(path.join(stateDir, 'statcache.json')));
  const states = new StepStateStore(flow);
  const cas = shared?.cas ?? new ContentStore(stateDir, hasher);
  let executor: Promise<SqlExecutor> | undefined;
  const records = new RecordQueue((step, err) => stopRun(`could not record the result of step ${step}: ${err.message}`));
  const ctx: RunContext = {
    analysis,
    runId,
    params: params.values,
    project: projectRoot(flow.root, fs.existsSync),
    hasher,
    cas,
    states,
    evaluator: new StatusEvaluator(analysis, params.values, hasher, states),
    logsDir,
    baseEnv: baseEnvironment(stateDir),
    force: opts.force ?? false,
    signal,
    stopRun,
    reaper,
    emit,
    // Loaded on the first SQL step only: a flow of commands never pays for starting DuckDB.
    sqlExecutor: () => (executor ??= import('../sql/execute').then((m) => m.createSqlExecutor({ flow, stateDir, params: params.values, ...(opts.snowflakeAt && { snowflakeAt: opts.snowflakeAt }) }))),
    fingerprints: new Map(),
    recordLater: (step, write) => records.add(step, write),
    ...(shared ? { sharedWork: shared.work } : {}),
    ...(opts.attach ? { attach: true } : {}),
  };

  const order = graph.order.filter((s) => selection.steps.has(s));
  const started = Date.now();
  emit({
    type: 'run-start',
    runId,
    flow: flow.name?.value ?? path.basename(flow.file),
    flowFile: shared?.flowFile ?? flow.file,
    steps: order,
    params: Object.fromEntries(leafParams(params.values)),
    overrides: opts.overrides ?? {},
    code: shared?.code ?? (await codeVersion(flow.root)),
    pid: process.pid,
    ...(shared ? { sweep: shared.sweep } : {}),
    time: started,
  });

  let results: Map<string, StepResult>;
  try {
    results = await schedule(ctx, order, selection.steps, Math.max(1, opts.jobs ?? os.availableParallelism()));
  } finally {
    reaper.close();
  }

  records.flush();
  // A sweep's cache and stat cache outlive its variants: the sweep closes them.
  const closers = [['close the step journal', () => states.close()], ['close the cache journal', () => cas.close()], ['save the stat cache', () => hasher.saveCache()]] as const;
  for (const [what, close] of shared ? closers.slice(0, 1) : closers) {
    try {
      close();
    } catch (err) {
      stopRun(`could not ${what}: ${(err as Error).message}`);
    }
  }
  // A warehouse that fails to close must not keep the run from ending; its file is written transactionally.
  if (executor) await (await executor.catch(() => undefined))?.close().catch(() => undefined);
  const outcomes = [...results.values()].map((r) => r.outcome);
  const status: RunStatus = error ? 'failed' : signal.aborted ? 'cancelled' : outcomes.some((o) => NOT_RUN.has(o)) ? 'failed' : 'succeeded';
  emit({ type: 'run-end', runId, status, durationMs: Date.now() - started, ...(error ? { message: error } : {}), time: Date.now() });
  opts.signal?.removeEventListener('abort', cancel);
  if (listenerError) throw listenerError;
  // The final record may be the write that failed: the run is failed whatever the run-end said.
  return { runId, status: error ? 'failed' : status, steps: results, ...(error ? { error } : {}) };
}

/** Starts each step once its parents in the run are done; a step whose parent did not succeed is skipped. */
async function schedule(ctx: RunContext, order: string[], selected: Set<string>, jobs: number): Promise<Map<string, StepResult>> {
  const { graph } = ctx.analysis;
  const results = new Map<string, StepResult>();
  const position = new Map(order.map((s, i) => [s, i]));
  const waitingOn = new Map(order.map((s) => [s, graph.parents(s).filter((p) => selected.has(p)).length]));
  const ready = order.filter((s) => waitingOn.get(s) === 0);
  const running = new Map<string, Promise<void>>();

  const finish = (step: string, end: StepEnd): void => {
    results.set(step, { outcome: end.outcome, durationMs: end.durationMs, attempts: end.attempts, ...(end.message ? { message: end.message } : {}) });
    if (end.fingerprint && !NOT_RUN.has(end.outcome)) ctx.fingerprints.set(step, end.fingerprint);
    ctx.emit({
      type: 'step-end',
      runId: ctx.runId,
      step,
      outcome: end.outcome,
      durationMs: end.durationMs,
      attempts: end.attempts,
      ...(end.message ? { message: end.message } : {}),
      ...(end.location ? { location: end.location } : {}),
      ...(end.metrics ? { metrics: end.metrics } : {}),
      ...(end.outputs ? { outputs: end.outputs.map((o) => ({ path: o.path, hash: o.hash, size: o.size })) } : {}),
      ...(end.fingerprint ? { fingerprint: end.fingerprint } : {}),
      ...(end.tests?.length ? { tests: end.tests } : {}),
      ...(end.profile ? { profile: end.profile } : {}),
      ...(end.sourceTimes ? { sourceTimes: end.sourceTimes } : {}),
      time: Date.now(),
    });
    let released = false;
    for (const child of graph.children(step)) {
      if (!waitingOn.has(child)) continue;
      const left = waitingOn.get(child)! - 1;
      waitingOn.set(child, left);
      if (left === 0) {
        ready.push(child);
        released = true;
      }
    }
    if (released) ready.sort((a, b) => position.get(a)! - position.get(b)!);
  };

  while (ready.length || running.size) {
    while (ready.length && running.size < jobs) {
      const step = ready.shift()!;
      const failedParent = graph.parents(step).find((p) => selected.has(p) && NOT_RUN.has(results.get(p)!.outcome));
      if (ctx.signal.aborted || failedParent) {
        const message = ctx.signal.aborted ? `run ${ctx.signal.reason}` : `upstream ${failedParent} ${results.get(failedParent!)!.outcome}`;
        finish(step, { outcome: 'skipped', durationMs: 0, attempts: 0, message });
        continue;
      }
      running.set(
        step,
        runStep(ctx, step).then((end) => {
          running.delete(step);
          finish(step, end);
        }),
      );
    }
    if (running.size) await Promise.race(running.values());
  }
  return results;
}
