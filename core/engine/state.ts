// Per-step record of the last successful execution, one journal per flow: .flowbench/state/<flow>.jsonl.
// It holds the fingerprint plus the inputs it was computed from, so status can say what changed.
// A record exists only for a step whose outs reached the cache; it is removed before the step runs again.
import * as path from 'node:path';
import type { Flow } from '../flow/model';
import { Journal } from './journal';
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
  private readonly journal: Journal<StepState>;

  constructor(flow: Flow) {
    const file = path.join(stateDirOf(flow), 'state', `${flowKey(flow)}.jsonl`);
    this.journal = new Journal(file, (step, v): v is StepState => (v as StepState)?.version === 1 && (v as StepState).step === step);
  }

  read(step: string): StepState | undefined {
    return this.journal.get(step);
  }

  write(state: StepState): void {
    this.journal.set(state.step, state);
  }

  /** Forget the last success: the step is about to overwrite its outs. */
  invalidate(step: string): void {
    this.journal.delete(step);
  }

  close(): void {
    this.journal.close();
  }
}
