// The environment a step process receives: the documented FLOWBENCH_* variables plus its `env:` entries.
import { formatParam, upperSnake } from '../flow/interpolate';
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

/** `process.env` is a slow host object; steps start from one plain copy taken when a run begins. */
export function baseEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env };
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
