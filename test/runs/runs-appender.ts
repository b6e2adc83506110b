// Child process for the table cache tests: records `count` runs through the recorder as fast as it can, as
// the CLI does while the panel reads, then exits.
import { openRunStore } from '../../core/runs/store';
import { fakeRun } from './fake-run';

const [state, count, prefix] = process.argv.slice(2);
const store = openRunStore(state, { fsync: false });
for (let i = 0; i < Number(count); i++) {
  const rec = store.recorder();
  const params = Object.fromEntries(Array.from({ length: 12 }, (_, p) => [`param_${p}`, i * 100 + p]));
  const runId = `${prefix}-${i.toString(16).padStart(4, '0')}`;
  for (const e of fakeRun({ runId, params, start: Date.UTC(2026, 11, 1) + i * 1000, metrics: { evaluate: { auc: i / 1000 } } })) rec(e);
}
