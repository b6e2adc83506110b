// The environment a step process receives: the documented FLOWBENCH_* variables plus its `env:` entries.
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { writeFileAtomic } from '../runs/atomic';
import { formatParam, upperSnake } from '../flow/interpolate';
import { withoutEditorSecrets } from './editor-secrets';
import { leafParams } from './params';

export interface StepEnvInput {
  runId: string;
  step: string;
  root: string;
  params: Map<string, unknown>;
  /** Upstream step -> absolute Parquet path, for the step's `inputs:`. */
  inputs: Record<string, string>;
  metricsLog: string;
  /** The step's `env:` entries, already interpolated. */
  extra: Record<string, string>;
}

/**
 * `process.env` is a slow host object; steps start from one plain copy taken when a run begins, without the
 * credentials the editor handed the CLI for its own warehouse client (editor-secrets.ts). When no
 * `node` is on PATH (the editor runs the CLI with its own Electron as Node, on a machine without Node), steps
 * that say `node script.mjs` get a `node` in `<state>/bin` that runs the same binary as this process.
 */
export function baseEnvironment(stateDir: string): NodeJS.ProcessEnv {
  const env = withoutEditorSecrets({ ...process.env });
  if (process.platform === 'win32' || onPath('node', env.PATH)) return env;
  const bin = join(stateDir, 'bin');
  const shim = join(bin, 'node');
  const electron = basename(process.execPath).toLowerCase().startsWith('node') ? '' : 'ELECTRON_RUN_AS_NODE=1 ';
  const script = `#!/bin/sh\n# written by flowbench: no node on PATH, so steps run the Node this run's CLI runs on\n${electron}exec '${process.execPath.replace(/'/g, `'\\''`)}' "$@"\n`;
  try {
    if (readText(shim) !== script) {
      mkdirSync(bin, { recursive: true });
      writeFileAtomic(shim, script, false, 0o755);
    }
    env.PATH = [bin, env.PATH].filter(Boolean).join(delimiter);
  } catch {
    // A read-only state folder: steps see PATH as it is, and a missing `node` fails the step with its own message.
  }
  return env;
}

function onPath(command: string, path: string | undefined): boolean {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function stepEnvironment(input: StepEnvInput, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const params = leafParams(input.params);
  const env: NodeJS.ProcessEnv = {
    ...base,
    FLOWBENCH_RUN_ID: input.runId,
    FLOWBENCH_STEP: input.step,
    FLOWBENCH_FLOW_ROOT: input.root,
    FLOWBENCH_PARAMS: JSON.stringify(Object.fromEntries(params)),
    FLOWBENCH_INPUTS: JSON.stringify(input.inputs),
    FLOWBENCH_METRICS_LOG: input.metricsLog,
  };
  for (const [name, value] of params) env[`FLOWBENCH_PARAM_${upperSnake(name)}`] = formatParam(value);
  for (const [step, file] of Object.entries(input.inputs)) env[`FLOWBENCH_INPUT_${upperSnake(step)}`] = file;
  return { ...env, ...input.extra };
}
