// A throwaway flow folder for engine tests, plus a runner that keeps every event it saw.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../core/engine/events';
import { runFlow, type RunOptions, type RunResult } from '../../core/engine/runner';

export interface Workspace {
  dir: string;
  flowFile: string;
  write(rel: string, content: string): void;
  read(rel: string): string;
  exists(rel: string): boolean;
  run(opts?: Omit<RunOptions, 'flowFile'>): Promise<{ result: RunResult; events: RunEvent[] }>;
  cleanup(): void;
}

export function workspace(flowYaml: string, files: Record<string, string> = {}): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-engine-'));
  const flowFile = path.join(dir, 'test.flow.yaml');
  const write = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };
  write('test.flow.yaml', flowYaml);
  for (const [rel, content] of Object.entries(files)) write(rel, content);
  return {
    dir,
    flowFile,
    write,
    read: (rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
    exists: (rel) => fs.existsSync(path.join(dir, rel)),
    async run(opts = {}) {
      const events: RunEvent[] = [];
      const result = await runFlow({
        ...opts,
        flowFile,
        onEvent: (e) => {
          events.push(e);
          opts.onEvent?.(e);
        },
      });
      return { result, events };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function outcomes(result: RunResult): Record<string, string> {
  return Object.fromEntries([...result.steps].map(([step, r]) => [step, r.outcome]));
}

/** A process that exited but was not reaped yet (a zombie) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
