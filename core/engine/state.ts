// Per-step record of the last successful execution: .flowbench/state/<flow>/<step>.json.
// It holds the fingerprint plus the inputs it was computed from, so status can say what changed.
// A record exists only for a step whose outs reached the cache; it is removed before the step runs again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Flow } from '../flow/model';
import { readJsonSync, writeJsonAtomicSync } from './atomic';
import type { OutputRecord } from './outputs';

/** Everything a fingerprint covers, kept in readable form. */
export interface StepInputs {
  kind: 'run' | 'sql';
  /** Command or SQL text as written, so an edit can be told apart from a param change. */
  template: string;
  /** Command after `${params.x}` interpolation, or SQL text after template rendering. */
  command: string;
  /** Values of the params the step uses. */
  params: Record<string, unknown>;
  /** Dep path (as declared) -> content hash, or `missing`. */
  deps: Record<string, string>;
  /** Source file (as declared) -> content hash, or `missing` (SQL steps). */
  sources: Record<string, string>;
  /** Name -> sha256 of the value: values may be secrets, and saying which one changed is enough. */
  env: Record<string, string>;
  /** Parent step -> its fingerprint. */
  upstream: Record<string, string>;
  outs: string[];
  /** Anything else that changes what the step does: cwd, materialization, warehouse. */
  settings: Record<string, string>;
}

export interface StepState {
  version: 1;
  step: string;
  fingerprint: string;
  inputs: StepInputs;
  outputs: OutputRecord[];
  runId: string;
  finishedAt: number;
  durationMs: number;
}

export function stateDirOf(flow: Flow): string {
  return path.join(flow.root, '.flowbench');
}

/** The folder name for a flow's step records: its `flow:` name, else the file name without `.flow.yaml`. */
export function flowKey(flow: Flow): string {
  const name = flow.name?.value || path.basename(flow.file).replace(/\.flow\.ya?ml$|\.ya?ml$/, '');
  return name.replace(/[^\w.-]/g, '_');
}

export class StepStateStore {
  private readonly dir: string;

  constructor(flow: Flow) {
    this.dir = path.join(stateDirOf(flow), 'state', flowKey(flow));
  }

  read(step: string): StepState | undefined {
    const s = readJsonSync<StepState>(this.fileOf(step));
    return s?.version === 1 && s.step === step ? s : undefined;
  }

  write(state: StepState): void {
    writeJsonAtomicSync(this.fileOf(state.step), state);
  }

  /** Forget the last success: the step is about to overwrite its outs. */
  invalidate(step: string): void {
    try {
      fs.unlinkSync(this.fileOf(step));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private fileOf(step: string): string {
    return path.join(this.dir, `${step.replace(/[^\w.-]/g, '_')}.json`);
  }
}
