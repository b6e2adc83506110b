// Which flow a run id belongs to: the experiments panel's row menu knows a run only by its id.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openRunStore } from '../core/runs/store';
import type { FlowWorkspace } from './flow-workspace';

export async function findRun(flows: FlowWorkspace, id: string, warn: (m: string) => void): Promise<{ flowFile: string; run: string } | undefined> {
  for (const entry of flows.flows()) {
    const stateDir = join(dirname(entry.file), '.flowbench');
    if (!existsSync(stateDir)) continue;
    const record = await openRunStore(stateDir, { warn }).get(id).catch(() => undefined);
    if (record) return { flowFile: existsSync(record.flowFile) ? record.flowFile : entry.file, run: record.id };
  }
  return undefined;
}
