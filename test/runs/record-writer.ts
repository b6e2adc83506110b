// Child process for store tests: records a run, then either stalls (to be killed while running)
// or keeps rewriting its record as fast as it can (to be killed mid-write).
import { openRunStore } from '../../core/runs/store';
import { fakeRun } from './fake-run';

const [state, runId, mode] = process.argv.slice(2);
const store = openRunStore(state);
const rec = store.recorder();
const events = fakeRun({ runId, steps: ['prepare', 'train'] });
rec(events[0]);
rec(events[1]);
rec(events.find((e) => e.type === 'step-end' && e.step === 'prepare')!);
rec(events.find((e) => e.type === 'step-start' && e.step === 'train')!);
// Step writes are coalesced for up to 50 ms; say 'started' once the record on disk shows train running.
const onDisk = async (): Promise<void> => {
  if ((await store.get(runId))?.steps.train?.state === 'running') process.stdout.write('started\n');
  else setTimeout(() => void onDisk(), 10);
};
void onDisk();
if (mode === 'stall') setInterval(() => {}, 1000);
else {
  let n = 0;
  const churn = () => {
    for (let i = 0; i < 50; i++) {
      const step = `step${n++}`;
      const time = Date.now();
      rec({ type: 'step-start', runId, step, attempt: 1, fingerprint: 'x', reasons: [], time });
      rec({ type: 'metric', runId, step, name: 'loss', value: Math.random(), index: n, time });
      rec({ type: 'step-end', runId, step, outcome: 'succeeded', durationMs: 1, attempts: 1, metrics: { [`m${n}`]: n }, time: time + 100 });
    }
    setImmediate(churn);
  };
  churn();
}
