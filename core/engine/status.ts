// Whether each step of a flow is up to date, and why not, without running anything.
// Pure Node (no native modules), so the extension can call it in-process.
import * as path from 'node:path';
import { loadFlow, type FlowAnalysis } from '../flow/analyze';
import type { Position, Problem, Range, Step } from '../flow/model';
import { collectInputs, describeChanges, fingerprintOf } from './fingerprint';
import { ContentHasher } from './hasher';
import { outputDrift } from './outputs';
import { resolveParams } from './params';
import { stateDirOf, StepStateStore, type StepInputs, type StepState as StepRecord } from './state';
import { StatCache } from './statcache';

export type StepStatusState = 'up-to-date' | 'stale' | 'never-run' | 'invalid';

export interface StepStatus {
  step: string;
  state: StepStatusState;
  reasons: string[];
  fingerprint?: string;
  last?: { runId: string; finishedAt: number; durationMs: number };
}

export interface FlowStatus {
  analysis: FlowAnalysis;
  steps: Map<string, StepStatus>;
}

/** A step's status plus the inputs its fingerprint was computed from (absent for invalid steps). */
export interface StepEvaluation extends StepStatus {
  inputs?: StepInputs;
  record?: StepRecord;
}

/** `analysis`: the flow file's analysis when the caller has just made it (it is read from disk otherwise). */
export async function flowStatus(file: string, opts: { overrides?: Record<string, unknown>; analysis?: FlowAnalysis } = {}): Promise<FlowStatus> {
  const analysis = opts.analysis ?? loadFlow(file);
  const hasher = new ContentHasher(new StatCache(path.join(stateDirOf(analysis.flow), 'statcache.json')));
  const evaluator = new StatusEvaluator(analysis, resolveParams(analysis.flow, opts.overrides).values, hasher, new StepStateStore(analysis.flow));
  const evaluations = await Promise.all(analysis.graph.steps.map((s) => evaluator.evaluate(s)));
  hasher.saveCache();
  return { analysis, steps: new Map(evaluations.map((e) => [e.step, publicStatus(e)])) };
}

function publicStatus(e: StepEvaluation): StepStatus {
  const { step, state, reasons, fingerprint, last } = e;
  return { step, state, reasons, ...(fingerprint ? { fingerprint } : {}), ...(last ? { last } : {}) };
}

/** Evaluates steps on demand, each once, parents before children (concurrently where the graph allows). */
export class StatusEvaluator {
  private readonly memo = new Map<string, Promise<StepEvaluation>>();
  private readonly inOrder: Set<string>;

  constructor(
    private readonly analysis: FlowAnalysis,
    private readonly params: Map<string, unknown>,
    private readonly hasher: ContentHasher,
    private readonly states: StepStateStore,
  ) {
    this.inOrder = new Set(analysis.graph.order);
  }

  evaluate(step: string): Promise<StepEvaluation> {
    let p = this.memo.get(step);
    if (!p) {
      p = this.compute(step);
      this.memo.set(step, p);
    }
    return p;
  }

  /** Forget what is known about these steps (they are about to change on disk). */
  forget(steps: Iterable<string>): void {
    for (const s of steps) this.memo.delete(s);
  }

  private async compute(name: string): Promise<StepEvaluation> {
    const step = this.analysis.flow.steps.get(name)!;
    const invalid = this.invalidReasons(step);
    if (invalid.length) return { step: name, state: 'invalid', reasons: invalid };
    const parents = await Promise.all(this.analysis.graph.parents(name).map((p) => this.evaluate(p)));
    const upstream: Record<string, string> = {};
    const reasons: string[] = [];
    const notCurrent = new Set<string>();
    for (const p of parents) {
      upstream[p.step] = p.fingerprint ?? p.state;
      if (p.state === 'up-to-date') continue;
      notCurrent.add(p.step);
      reasons.push(p.state === 'never-run' ? `upstream ${p.step} never run` : `upstream ${p.step} is ${p.state}`);
    }
    const record = this.states.read(name);
    // Snowflake tables are not looked at without a run: status assumes they are as the last run saw them.
    const inputs = await collectInputs(this.analysis, step, this.params, this.hasher, upstream, record?.inputs.sources);
    const fingerprint = fingerprintOf(inputs);
    const base = { step: name, fingerprint, inputs };
    if (!record) return { ...base, state: 'never-run', reasons: ['never run'] };
    const last = { runId: record.runId, finishedAt: record.finishedAt, durationMs: record.durationMs };
    if (record.fingerprint !== fingerprint) {
      const changes = describeChanges(record.inputs, inputs, notCurrent);
      reasons.push(...(changes.length || reasons.length ? changes : ['inputs changed']));
    }
    reasons.push(...(await outputDrift(this.analysis.flow.root, record.outputs, this.hasher)));
    return { ...base, record, last, state: reasons.length ? 'stale' : 'up-to-date', reasons };
  }

  /** Errors that stop the step from running: problems inside its definition or its SQL file, or a cycle. */
  private invalidReasons(step: Step): string[] {
    const { flow, sql } = this.analysis;
    const sqlFile = sql.get(step.name)?.file;
    const reasons = this.analysis.problems
      .filter((p) => p.severity === 'error' && ((p.file === flow.file && within(p.range, step.range)) || p.file === sqlFile))
      .map((p) => problemReason(p, flow.root));
    if (!this.inOrder.has(step.name)) reasons.push('part of a dependency cycle (or downstream of one)');
    return reasons;
  }
}

function problemReason(p: Problem, root: string): string {
  return `${path.relative(root, p.file)}:${p.range.start.line + 1}: ${p.message}`;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function within(inner: Range, outer: Range): boolean {
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}
