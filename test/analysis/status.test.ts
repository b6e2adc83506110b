import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lastRun } from '../../core/analysis/status';
import type { RunEvent } from '../../core/engine/events';
import { loadFlow } from '../../core/flow/analyze';
import { openRunStore } from '../../core/runs/store';
import { tempProject } from '../helpers/project';

const project = tempProject({ 'demo.flow.yaml': 'flow: demo\nsteps:\n  prep: { run: echo a }\n  train: { run: echo b, needs: [prep] }\n' });
after(() => project.remove());

function record(runId: string, flowFile: string, time: number, outcomes: Record<string, 'succeeded' | 'failed' | 'skipped'>): void {
  const write = openRunStore(join(project.root, '.flowbench')).recorder();
  const steps = Object.keys(outcomes);
  const events: RunEvent[] = [
    { type: 'run-start', runId, flow: 'demo', flowFile, steps, params: {}, overrides: {}, code: { dirty: false }, pid: process.pid, time },
  ];
  for (const [step, outcome] of Object.entries(outcomes)) {
    const message = outcome === 'failed' ? 'exited with code 1' : undefined;
    events.push({ type: 'step-end', runId, step, outcome, durationMs: 1500, attempts: 1, time: time + 1500, ...(message && { message }) });
  }
  events.push({ type: 'run-end', runId, status: Object.values(outcomes).includes('failed') ? 'failed' : 'succeeded', durationMs: 2000, time: time + 2000 });
  events.forEach(write);
}

test('a hover reports the newest run in which the step ended, failures included', async () => {
  const { flow } = loadFlow(project.path('demo.flow.yaml'));
  assert.equal(await lastRun(flow, 'train'), undefined, 'nothing recorded yet');
  record('20261124-010000-aaaa', flow.file, Date.UTC(2026, 10, 24, 1), { prep: 'succeeded', train: 'succeeded' });
  record('20261124-020000-bbbb', flow.file, Date.UTC(2026, 10, 24, 2), { prep: 'failed', train: 'skipped' });
  record('20261124-030000-cccc', project.path('other.flow.yaml'), Date.UTC(2026, 10, 24, 3), { prep: 'succeeded' });
  const prep = await lastRun(flow, 'prep');
  assert.deepEqual(prep && [prep.outcome, prep.runId, prep.message], ['failed', '20261124-020000-bbbb', 'exited with code 1']);
  const train = await lastRun(flow, 'train');
  assert.deepEqual(train && [train.outcome, train.runId], ['succeeded', '20261124-010000-aaaa'], 'a skipped step did not end; the run before counts');
});
