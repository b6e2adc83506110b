// Opens the run store of a flow for a command, first marking runs whose process died as interrupted.
import { join } from 'node:path';
import { openRunStore, type RunStore } from '../runs/store';
import { line, type Output } from './output';

export async function openStoreFor(flowRoot: string, o: Output): Promise<{ store: RunStore; stateDir: string }> {
  const stateDir = join(flowRoot, '.flowbench');
  const store = openRunStore(stateDir, { warn: (m) => line(o.err, `flowbench: warning: ${m}`) });
  for (const id of await store.markInterrupted()) {
    line(o.err, `Run ${id} was left unfinished (its process is gone): recorded as interrupted.`);
  }
  return { store, stateDir };
}
