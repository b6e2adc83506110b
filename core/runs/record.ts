// Folds the runner's event stream into a RunRecord. Pure: the store decides when to write.
import type { RunEvent } from '../engine/events';
import type { MetricPoint, RunRecord, RunSummary, StepCounts, StepRecord, WriterIdentity } from './types';

type RunStart = Extract<RunEvent, { type: 'run-start' }>;

export function startRecord(event: RunStart, writer: WriterIdentity): RunRecord {
  const steps: Record<string, StepRecord> = {};
  for (const step of event.steps) steps[step] = { state: 'pending', cached: false, attempts: 0 };
  return {
    version: 1,
    id: event.runId,
    flow: event.flow,
    flowFile: event.flowFile,
    params: event.params,
    overrides: event.overrides,
    code: event.code,
    start: event.time,
    status: 'running',
    steps,
    metrics: {},
    histories: {},
    artifacts: [],
    writer,
    updated: event.time,
    ...(event.sweep ? { sweep: event.sweep } : {}),
  };
}

function stepOf(record: RunRecord, name: string): StepRecord {
  return (record.steps[name] ??= { state: 'pending', cached: false, attempts: 0 });
}

/** Applies one event after run-start; metric events are kept apart (see store) and ignored here. */
export function applyEvent(record: RunRecord, event: RunEvent): void {
  record.updated = event.time;
  switch (event.type) {
    case 'step-start': {
      const step = stepOf(record, event.step);
      step.state = 'running';
      step.start ??= event.time;
      step.attempts = event.attempt;
      step.fingerprint = event.fingerprint;
      step.reasons = event.reasons;
      break;
    }
    case 'step-end': {
      const step = stepOf(record, event.step);
      step.state = event.outcome;
      step.cached = event.outcome === 'cached' || event.outcome === 'restored';
      step.end = event.time;
      step.durationMs = event.durationMs;
      step.attempts = event.attempts;
      if (event.fingerprint) step.fingerprint = event.fingerprint;
      if (event.message) step.message = event.message;
      if (event.location) step.location = event.location;
      if (event.tests?.length) step.tests = event.tests;
      if (event.profile) step.profile = event.profile;
      if (event.sourceTimes) step.sourceTimes = event.sourceTimes;
      // Both merges below walk the whole run, so they happen only for steps that bring something to merge.
      if (event.outputs?.length) {
        record.artifacts = record.artifacts.filter((a) => a.step !== event.step);
        for (const out of event.outputs) record.artifacts.push({ step: event.step, path: out.path, sha256: out.hash, size: out.size });
      }
      if (event.metrics && Object.keys(event.metrics).length > 0) {
        step.metrics = event.metrics;
        record.metrics = mergeStepMetrics(record.steps);
      }
      break;
    }
    case 'step-remote':
      stepOf(record, event.step).remote = event.job;
      break;
    case 'run-end':
      record.status = event.status;
      record.end = event.time;
      record.durationMs = event.durationMs;
      if (event.message) record.message = event.message;
      break;
    default:
      break;
  }
}

/**
 * Final metrics of the run: a metric keeps its plain name unless two steps report the same
 * name, in which case each becomes `step.name` so neither silently overwrites the other.
 * The last steps' metrics come first: evaluation usually matters most, and listings show the first few.
 */
export function mergeStepMetrics(steps: Record<string, { metrics?: Record<string, number> }>): Record<string, number> {
  const byName = new Map<string, [string, number][]>();
  for (const [step, rec] of Object.entries(steps).reverse()) {
    for (const [name, value] of Object.entries(rec.metrics ?? {})) {
      const list = byName.get(name) ?? [];
      list.push([step, value]);
      byName.set(name, list);
    }
  }
  const merged: Record<string, number> = {};
  for (const [name, list] of byName) {
    if (list.length === 1) merged[name] = list[0][1];
    else for (const [step, value] of list) merged[`${step}.${name}`] = value;
  }
  return merged;
}

/** One line of metrics.jsonl. */
export interface HistoryLine {
  step: string;
  name: string;
  index: number;
  value: number;
  time: number;
}

/** Histories keyed like final metrics: plain name unless several steps log the same name. */
export function groupHistories(lines: HistoryLine[]): Record<string, MetricPoint[]> {
  const stepsByName = new Map<string, Set<string>>();
  for (const l of lines) {
    const steps = stepsByName.get(l.name) ?? new Set();
    steps.add(l.step);
    stepsByName.set(l.name, steps);
  }
  const out: Record<string, MetricPoint[]> = {};
  for (const l of lines) {
    const key = stepsByName.get(l.name)!.size > 1 ? `${l.step}.${l.name}` : l.name;
    (out[key] ??= []).push({ index: l.index, value: l.value, time: l.time });
  }
  return out;
}

function countSteps(steps: Record<string, StepRecord>): StepCounts {
  const counts: StepCounts = { ran: 0, cached: 0, restored: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const s of Object.values(steps)) {
    if (s.state === 'succeeded') counts.ran++;
    else if (s.state === 'cached' || s.state === 'restored' || s.state === 'failed' || s.state === 'skipped' || s.state === 'cancelled') counts[s.state]++;
  }
  return counts;
}

export function summarize(record: RunRecord): RunSummary {
  return {
    id: record.id,
    ...(record.source ? { source: record.source } : {}),
    flow: record.flow,
    flowFile: record.flowFile,
    status: record.status,
    start: record.start,
    end: record.end,
    durationMs: record.durationMs,
    params: record.params,
    overrides: record.overrides,
    metrics: record.metrics,
    counts: countSteps(record.steps),
    code: record.code,
    ...(record.status === 'running' ? { writer: record.writer } : {}),
    ...(record.sweep ? { sweep: record.sweep } : {}),
  };
}

/** Marks a record whose writer died: open steps become interrupted, the run ends at its last write. */
export function interruptRecord(record: RunRecord): void {
  record.status = 'interrupted';
  record.end = record.updated;
  record.durationMs = record.updated - record.start;
  for (const step of Object.values(record.steps)) {
    if (step.state === 'running') step.state = 'interrupted';
  }
}
