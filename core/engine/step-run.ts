// Brings one step up to date: reuse its outs when its fingerprint says nothing changed ('cached'),
// restore them from the content-addressed cache when this fingerprint succeeded before ('restored'),
// otherwise run it (with retries) and, once it succeeded and its outs are in the cache, record its state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FlowAnalysis } from '../flow/analyze';
import { readViolation } from '../flow/confine';
import { interpolate, interpolateCommand, unquotableMessage } from '../flow/interpolate';
import type { SageMakerCompute, Step } from '../flow/model';
import type { SqlExecutor } from '../sql/execute';
import { isSnowflakeStep, snowflakeSources } from '../sql/snowflake-naming';
import type { ContentStore } from './cas';
import { checkStep } from './data-checks';
import { stepEnvironment } from './env';
import type { RunEvent, SourceLocation } from './events';
import { collectInputs, declaredOutputs, describeChanges, fingerprintOf, tableExportPath } from './fingerprint';
import type { ContentHasher } from './hasher';
import { findErrorLocation } from './location';
import { MetricsTail, readMetricsFile } from './metrics';
import { hashOutputs, outputDrift, type OutputRecord } from './outputs';
import { runProcess } from './process';
import type { Reaper } from './reaper';
import { stateDirOf, type StepInputs, type StepStateStore } from './state';
import type { StatusEvaluator } from './status';
import { StepLog } from './step-log';
import type { KeyedMutex } from './keyed-mutex';

export interface RunContext {
  analysis: FlowAnalysis;
  runId: string;
  params: Map<string, unknown>;
  /** Where the paths a step reads must lie (see projectRoot), found once per run. */
  project: string;
  hasher: ContentHasher;
  cas: ContentStore;
  states: StepStateStore;
  /** Status of steps outside this run, for upstream checks. */
  evaluator: StatusEvaluator;
  logsDir: string;
  baseEnv: NodeJS.ProcessEnv;
  force: boolean;
  /** Aborted with the reason as a string: 'cancelled', or 'stopped: …' (see stopRun). */
  signal: AbortSignal;
  /** Ends the run as failed because the engine could not write its own files; the first reason wins. */
  stopRun: (reason: string) => void;
  /** Every step process group is registered with it while it runs. */
  reaper: Reaper;
  emit: (e: RunEvent) => void;
  sqlExecutor: () => Promise<SqlExecutor>;
  /** Fingerprints of the steps this run brought up to date so far. */
  fingerprints: Map<string, string>;
  /**
   * Records a finished step's cache manifest and state soon, off the path to the next step's start;
   * the run flushes them before it ends. Losing them to a crash only means the step is redone or restored.
   */
  recordLater: (step: string, write: () => void) => void;
  /**
   * A sweep's lock per fingerprint: held from the cache lookup until the step's outs are in the cache, so
   * variants agreeing on a step compute it once and the rest restore it.
   */
  sharedWork?: KeyedMutex;
  /** `run --attach`: a SageMaker job a dead runner left for a step's fingerprint is followed, not refused. */
  attach?: boolean;
}

/** What the step-end event says about a step, with full output records (directory contents too). */
export type StepEnd = Omit<Extract<RunEvent, { type: 'step-end' }>, 'type' | 'runId' | 'step' | 'time' | 'outputs'> & { outputs?: OutputRecord[] };

type Attempt = { ok: true } | { ok: false; cancelled?: boolean; message: string; location?: SourceLocation };

const STORAGE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

function fileName(step: string): string {
  return step.replace(/[^\w.-]/g, '_');
}

export async function runStep(ctx: RunContext, name: string): Promise<StepEnd> {
  const started = Date.now();
  const log = new StepLog(path.join(ctx.logsDir, `${fileName(name)}.log`), ctx.runId, name, ctx.emit, ctx.stopRun);
  try {
    return { ...(await bringUpToDate(ctx, ctx.analysis.flow.steps.get(name)!, log, started)), durationMs: Date.now() - started };
  } catch (err) {
    // The cache or a journal could not be written: the disk is full or failing, and every step after would fail alike.
    if (STORAGE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) ctx.stopRun(`step ${name}: ${(err as Error).message}`);
    return { outcome: 'failed', attempts: 0, durationMs: Date.now() - started, message: (err as Error).message };
  } finally {
    log.flush();
  }
}

async function bringUpToDate(ctx: RunContext, step: Step, log: StepLog, started: number): Promise<Omit<StepEnd, 'durationMs'>> {
  const { analysis, hasher } = ctx;
  const root = analysis.flow.root;
  const upstream: Record<string, string> = {};
  for (const parent of analysis.graph.parents(step.name)) {
    const known = ctx.fingerprints.get(parent);
    if (known) {
      upstream[parent] = known;
      continue;
    }
    const ev = await ctx.evaluator.evaluate(parent);
    upstream[parent] = ev.fingerprint ?? ev.state;
    if (ev.state === 'up-to-date') continue;
    const { missing } = await hashOutputs(root, declaredOutputs(analysis.flow.steps.get(parent)!), hasher);
    if (missing.length) return { outcome: 'failed', attempts: 0, message: `upstream ${parent} has not produced ${missing[0]}: run with --upstream` };
    log.note(`warning: upstream ${parent} is ${ev.state} (${ev.reasons.join('; ')}); using its current outputs. Run with --upstream to refresh it.`);
  }

  const remote = await remoteSourceStamps(ctx, step, log);
  if ('failed' in remote) return { outcome: remote.cancelled ? 'cancelled' : 'failed', attempts: 0, message: remote.failed };
  const inputs = await collectInputs(analysis, step, ctx.params, hasher, upstream, remote.stamps);
  const fingerprint = fingerprintOf(inputs);
  const times = Object.entries(remote.stamps).map(([key, at]) => [key.replace(/^snowflake:/, ''), at]);
  const withTimes = (end: Omit<StepEnd, 'durationMs'>) => (times.length ? { ...end, sourceTimes: Object.fromEntries(times) } : end);
  const isView = step.kind === 'sql' && step.materialize?.value === 'view';
  if (!ctx.sharedWork || isView) return withTimes(await settle(ctx, step, log, started, inputs, fingerprint));
  const release = await ctx.sharedWork.acquire(fingerprint, ctx.signal);
  if (!release) return { outcome: 'cancelled', attempts: 0, message: String(ctx.signal.reason) };
  try {
    return withTimes(await settle(ctx, step, log, started, inputs, fingerprint));
  } finally {
    release();
  }
}

/** Last change times of the Snowflake tables a SQL step reads: part of its fingerprint, asked of Snowflake each run. */
async function remoteSourceStamps(ctx: RunContext, step: Step, log: StepLog): Promise<{ stamps: Record<string, string> } | { failed: string; cancelled: boolean }> {
  const calls = ctx.analysis.sql.get(step.name)?.template.calls ?? [];
  if (!snowflakeSources(ctx.analysis.flow, step, calls).length) return { stamps: {} };
  try {
    const stamps = await (await ctx.sqlExecutor()).sourceStamps(step, calls, (line) => log.line('stdout', line), ctx.signal);
    for (const [key, at] of Object.entries(stamps)) log.line('stdout', `${key.replace(/^snowflake:/, 'source ')} last changed ${at}`);
    return { stamps };
  } catch (err) {
    return { failed: (err as Error).message, cancelled: ctx.signal.aborted };
  }
}

/** Given the step's fingerprint: finds it cached, restores it, or runs it. */
async function settle(ctx: RunContext, step: Step, log: StepLog, started: number, inputs: StepInputs, fingerprint: string): Promise<Omit<StepEnd, 'durationMs'>> {
  const { analysis, hasher, states, cas } = ctx;
  const root = analysis.flow.root;
  const record = states.read(step.name);
  const isView = step.kind === 'sql' && step.materialize?.value === 'view';
  let reasons: string[];
  if (ctx.force) reasons = ['forced'];
  else if (!record) reasons = ['never run'];
  else if (record.fingerprint !== fingerprint) {
    const changes = describeChanges(record.inputs, inputs, new Set());
    reasons = changes.length ? changes : ['inputs changed'];
  } else {
    reasons = await outputDrift(root, record.outputs, hasher);
    if (!reasons.length) {
      const cached = { outcome: 'cached' as const, attempts: 0, fingerprint, outputs: record.outputs, ...readAllMetrics(root, step) };
      return step.kind === 'sql' ? withChecks(ctx, step, log, fingerprint, true, cached) : cached;
    }
  }

  const saveState = (outputs: OutputRecord[], recordManifest: boolean) => {
    const state = { version: 1 as const, step: step.name, fingerprint, inputs, outputs, runId: ctx.runId, finishedAt: Date.now(), durationMs: Date.now() - started };
    // Variants waiting on this fingerprint look for the manifest as soon as the lock is released.
    const now = recordManifest && ctx.sharedWork !== undefined;
    if (now) cas.recordRun(step.name, fingerprint, outputs);
    ctx.recordLater(step.name, () => {
      if (recordManifest && !now) cas.recordRun(step.name, fingerprint, outputs);
      states.write(state);
    });
  };

  // A view has no outs to bring back: its definition lives only in the warehouse, so it always runs. Nor can a
  // Snowflake table be put back from the local cache: it runs again.
  const manifest = ctx.force || isView || isSnowflakeStep(analysis.flow, step) ? undefined : cas.manifest(fingerprint);
  const declared = declaredOutputs(step);
  const cached = manifest && (await cas.check(manifest));
  for (const file of cached ? cached.corrupt : []) {
    log.note(`warning: the cached copy of ${file} was corrupt (its content no longer matches its sha256): removed it; running the step instead of restoring`);
    reasons = [...reasons, `cache: ${file} corrupt`];
  }
  // Restoring replaces each path the manifest names: only ever the step's own declared outs.
  if (manifest && cached?.complete && manifest.outputs.every((o) => declared.includes(o.path))) {
    states.invalidate(step.name);
    await cas.restore(root, manifest);
    for (const out of manifest.outputs) {
      const base = path.resolve(root, out.path);
      if (out.kind === 'file') hasher.remember(base, out.hash);
      else for (const f of out.files ?? []) hasher.remember(path.join(base, f.path), f.hash);
    }
    if (step.kind === 'sql') await (await ctx.sqlExecutor()).restore(step, path.resolve(root, tableExportPath(step.name)));
    const metrics = readAllMetrics(root, step);
    saveState(manifest.outputs, false);
    const restored = { outcome: 'restored' as const, attempts: 0, fingerprint, outputs: manifest.outputs, ...metrics, message: `restored from cache (${reasons.join('; ')})` };
    return step.kind === 'sql' ? withChecks(ctx, step, log, fingerprint, true, restored) : restored;
  }

  // The outs are about to be overwritten: whatever happens next, the old record no longer describes them.
  states.invalidate(step.name);
  const attempts = 1 + Math.max(0, Math.floor(step.retries?.value ?? 0));
  let failure: Exclude<Attempt, { ok: true }> = { ok: false, message: 'not run' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    ctx.emit({ type: 'step-start', runId: ctx.runId, step: step.name, attempt, fingerprint, reasons, time: Date.now() });
    if (attempt > 1) log.note(`attempt ${attempt} of ${attempts}`);
    const result = step.kind === 'sql' ? await attemptSql(ctx, step, log)
      : isRemote(step) ? await attemptRemote(ctx, step, log, fingerprint)
      : await attemptCommand(ctx, step, log, attempt);
    if (result.ok) {
      const done = await collectResults(ctx, step, log);
      if ('outputs' in done) {
        // The table is right for its SQL even when its data fails a test: keep it, so fixing a test re-checks without recomputing.
        saveState(done.outputs, true);
        const succeeded = { outcome: 'succeeded' as const, attempts: attempt, fingerprint, ...done };
        return step.kind === 'sql' ? withChecks(ctx, step, log, fingerprint, false, succeeded) : succeeded;
      }
      failure = { ok: false, message: done.message };
    } else {
      if (result.cancelled) return { outcome: 'cancelled', attempts: attempt, message: result.message };
      failure = result;
    }
    if (attempt < attempts) log.note(`${failure.message}; retrying`);
  }
  return { outcome: 'failed', attempts, message: failure.message, ...(failure.location ? { location: failure.location } : {}) };
}

/** Runs (or reuses) the step's data tests and profile; an `error` test that fails turns `end` into a failure. */
async function withChecks(ctx: RunContext, step: Step, log: StepLog, fingerprint: string, reuse: boolean, end: Omit<StepEnd, 'durationMs'>): Promise<Omit<StepEnd, 'durationMs'>> {
  try {
    const checks = await checkStep({
      analysis: ctx.analysis,
      step,
      executor: await ctx.sqlExecutor(),
      tableFingerprint: fingerprint,
      reuse,
      log: (line) => log.line('stdout', line),
      signal: ctx.signal,
    });
    const results = { ...(checks.tests.length && { tests: checks.tests }), ...(checks.profile && { profile: checks.profile }) };
    if (checks.failure) return { ...end, ...results, outcome: 'failed', message: checks.failure.message, ...(checks.failure.location && { location: checks.failure.location }) };
    const warned = checks.tests.filter((t) => t.status !== 'pass').length;
    const note = !checks.reused && end.outcome !== 'succeeded' ? 'tests re-checked on the kept table' : '';
    const message = [end.message, note, warned ? `${warned} data test${warned > 1 ? 's' : ''} warned` : ''].filter(Boolean).join('; ');
    return { ...end, ...results, ...(message && { message }) };
  } catch (err) {
    if (ctx.signal.aborted) return { outcome: 'cancelled', attempts: end.attempts, message: String(ctx.signal.reason) };
    return { ...end, outcome: 'failed', message: `data tests could not run: ${(err as Error).message}` };
  }
}

/** Checks the outs, reads final metrics and puts the outs in the cache; or says what is wrong. */
async function collectResults(ctx: RunContext, step: Step, log: StepLog): Promise<{ outputs: OutputRecord[]; metrics?: Record<string, number> } | { message: string }> {
  const root = ctx.analysis.flow.root;
  const { records, missing, skipped } = await hashOutputs(root, declaredOutputs(step), ctx.hasher);
  for (const file of skipped) log.note(`warning: ${file} is not a regular file (a FIFO, socket or device): left out of the cache and of restores`);
  if (missing.length) {
    const metricsFiles = new Set(step.metrics.map((m) => m.value));
    return { message: missing.map((m) => (metricsFiles.has(m) ? `declared metrics file ${m} was not produced` : `declared out ${m} was not produced`)).join('; ') };
  }
  let metrics: { metrics?: Record<string, number> };
  try {
    metrics = readAllMetrics(root, step);
  } catch (err) {
    return { message: (err as Error).message };
  }
  await ctx.cas.storeObjects(root, records);
  return { outputs: records, ...metrics };
}

/** Final metrics from the step's `metrics:` files; nothing for a step that declares none. */
function readAllMetrics(root: string, step: Step): { metrics?: Record<string, number> } {
  if (!step.metrics.length) return {};
  return { metrics: Object.assign({}, ...step.metrics.map((m) => readMetricsFile(path.resolve(root, m.value), m.value))) };
}

function isRemote(step: Step): step is Step & { compute: SageMakerCompute } {
  return step.compute.target === 'sagemaker';
}

function timeoutOf(step: Step): number | undefined {
  const seconds = step.timeout?.value;
  return seconds !== undefined && seconds > 0 ? seconds * 1000 : undefined;
}

/** The command, cwd and `env:` of a run step with params filled in; or why it must not run. */
function prepareCommand(ctx: RunContext, step: Step): { command: string; dir: string; cwd: string; extra: Record<string, string> } | { ok: false; message: string } {
  const { params } = ctx;
  const root = ctx.analysis.flow.root;
  const extra: Record<string, string> = {};
  for (const [k, v] of step.env) extra[k] = interpolate(v.value, params).text;
  // Validation confined the cwd with the flow's own param values; a --set override can point it elsewhere.
  const dir = step.cwd ? interpolate(step.cwd.value, params).text : '.';
  const cwd = path.resolve(root, dir);
  const away = readViolation(dir, cwd, root, ctx.project);
  if (away) return { ok: false, message: `cwd '${dir}' ${away}: paths a flow names never escape its project` };
  const command = interpolateCommand(step.run?.value ?? '', params);
  const unsafe = command.unquotable[0];
  if (unsafe) return { ok: false, message: unquotableMessage(unsafe) };
  return { command: command.text, dir, cwd, extra };
}

/** The step as a SageMaker job (core/sagemaker/, loaded only when a flow has one: the AWS SDK is large). */
async function attemptRemote(ctx: RunContext, step: Step & { compute: SageMakerCompute }, log: StepLog, fingerprint: string): Promise<Attempt> {
  const prepared = prepareCommand(ctx, step);
  if ('ok' in prepared) return prepared;
  const { runRemoteStep } = await import('../aws/services');
  const root = ctx.analysis.flow.root;
  const res = await runRemoteStep({
    root,
    stateDir: stateDirOf(ctx.analysis.flow),
    step,
    fingerprint,
    runId: ctx.runId,
    command: prepared.command,
    cwd: path.relative(root, prepared.cwd) || '.',
    params: ctx.params,
    env: prepared.extra,
    outs: declaredOutputs(step),
    hasher: ctx.hasher,
    signal: ctx.signal,
    attach: ctx.attach ?? false,
    line: (text) => log.line('stdout', text),
    note: (text) => log.note(text),
    onJob: (job) => ctx.emit({ type: 'step-remote', runId: ctx.runId, step: step.name, job, time: Date.now() }),
  });
  if (res.ok) return { ok: true };
  return { ok: false, message: res.message, ...(res.cancelled ? { cancelled: true } : {}) };
}

async function attemptCommand(ctx: RunContext, step: Step, log: StepLog, attempt: number): Promise<Attempt> {
  const { analysis, params, runId } = ctx;
  const root = analysis.flow.root;
  const metricsLog = path.join(ctx.logsDir, `${fileName(step.name)}.metrics.jsonl`);
  // Each attempt reports its own history; the log folder is new for every run, so only a retry finds one.
  if (attempt > 1) fs.rmSync(metricsLog, { force: true });
  const tail = new MetricsTail(
    metricsLog,
    (p) => ctx.emit({ type: 'metric', runId, step: step.name, ...p }),
    (message) => log.note(`warning: ${message}`),
  );
  const prepared = prepareCommand(ctx, step);
  if ('ok' in prepared) return prepared;
  const { extra, cwd } = prepared;
  const inputs = Object.fromEntries(step.inputs.map((i) => [i.value, path.resolve(root, tableExportPath(i.value))]));
  const timeoutMs = timeoutOf(step);
  tail.start();
  const res = await runProcess({
    command: prepared.command,
    cwd,
    env: stepEnvironment({ runId, step: step.name, root, params, inputs, metricsLog, extra }, ctx.baseEnv),
    onLine: (stream, text) => log.line(stream, text),
    signal: ctx.signal,
    timeoutMs,
    reaper: ctx.reaper,
  });
  tail.stop();
  if (res.cancelled) return { ok: false, cancelled: true, message: String(ctx.signal.reason) };
  if (res.spawnError) return { ok: false, message: `could not start the command in ${path.relative(root, cwd) || '.'}: ${res.spawnError}` };
  if (res.timedOut) return { ok: false, message: `timed out after ${timeoutMs! / 1000}s` };
  if (res.exitCode === 0) return { ok: true };
  const location = findErrorLocation(log.stderrTail, root, cwd);
  const message = res.signal ? `killed by ${res.signal}` : `exited with code ${res.exitCode}`;
  return { ok: false, message, ...(location ? { location } : {}) };
}

async function attemptSql(ctx: RunContext, step: Step, log: StepLog): Promise<Attempt> {
  const info = ctx.analysis.sql.get(step.name);
  if (!info) return { ok: false, message: `cannot read ${step.sql?.value ?? 'the SQL file'}` };
  const executor = await ctx.sqlExecutor();
  const abort = new AbortController();
  const onCancel = () => abort.abort();
  ctx.signal.addEventListener('abort', onCancel, { once: true });
  const timeoutMs = timeoutOf(step);
  let timedOut = false;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), abort.abort()), timeoutMs);
  try {
    await executor.run({ step, sql: info, log: (line) => log.line('stdout', line), signal: abort.signal });
    return { ok: true };
  } catch (err) {
    if (ctx.signal.aborted) return { ok: false, cancelled: true, message: String(ctx.signal.reason) };
    if (timedOut) return { ok: false, message: `timed out after ${timeoutMs! / 1000}s` };
    const location = (err as { location?: SourceLocation }).location;
    return { ok: false, message: (err as Error).message, ...(location ? { location } : {}) };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onCancel);
  }
}
