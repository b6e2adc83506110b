// Builds the RunEvent sequence of a plausible run, so store tests and the bench feed the recorder
// exactly what the runner emits.
import type { RunEvent } from '../../core/engine/events';

export interface FakeRunOptions {
  runId: string;
  flow?: string;
  start?: number;
  params?: Record<string, unknown>;
  steps?: string[];
  /** Final metrics reported per step at step-end. */
  metrics?: Record<string, Record<string, number>>;
  /** Metric history points per step: name → values. */
  histories?: Record<string, Record<string, number[]>>;
  failStep?: string;
}

export function fakeRun(o: FakeRunOptions): RunEvent[] {
  const runId = o.runId;
  const steps = o.steps ?? ['prepare', 'train', 'evaluate'];
  let time = o.start ?? Date.UTC(2026, 10, 24, 1, 0, 0);
  const events: RunEvent[] = [
    {
      type: 'run-start', runId, flow: o.flow ?? 'demo', flowFile: '/tmp/demo/demo.flow.yaml', steps,
      params: o.params ?? { lr: 0.1 }, overrides: {}, code: { commit: 'abc123', dirty: false }, pid: process.pid, time,
    },
  ];
  let failed = false;
  for (const step of steps) {
    if (failed) {
      events.push({ type: 'step-end', runId, step, outcome: 'skipped', durationMs: 0, attempts: 0, time });
      continue;
    }
    events.push({ type: 'step-start', runId, step, attempt: 1, fingerprint: `fp-${step}`, reasons: ['never ran'], time });
    events.push({ type: 'step-log', runId, step, stream: 'stdout', text: `hello from ${step}\n`, time });
    for (const [name, values] of Object.entries(o.histories?.[step] ?? {})) {
      values.forEach((value, index) => events.push({ type: 'metric', runId, step, name, value, index, time: ++time }));
    }
    time += 1000;
    failed = step === o.failStep;
    events.push({
      type: 'step-end', runId, step, outcome: failed ? 'failed' : 'succeeded', durationMs: 1000, attempts: 1,
      message: failed ? 'exit code 1' : undefined, metrics: o.metrics?.[step], fingerprint: `fp-${step}`,
      outputs: failed ? undefined : [{ path: `out/${step}.bin`, hash: 'ab'.repeat(32), size: 42 }], time,
    });
  }
  events.push({ type: 'run-end', runId, status: failed ? 'failed' : 'succeeded', durationMs: time - (o.start ?? events[0].time), time });
  return events;
}
