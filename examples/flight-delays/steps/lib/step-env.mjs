// What a step script needs from the Flowbench runtime: its inputs, arguments, metric log and atomic writes.
// Everything here fails with a StepError whose message says what to do; `runStep` prints it without a stack.
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export class StepError extends Error {}

/** Runs a step's main function; a StepError becomes one clear line on stderr and exit code 1. */
export function runStep(name, main) {
  main().catch((err) => {
    if (err instanceof StepError) console.error(`${name}: error: ${err.message}`);
    else console.error(`${name}: unexpected failure:`, err);
    process.exitCode = 1;
  });
}

/** Absolute path of the Parquet file the runner hands over for an upstream SQL step (`inputs: [step]`). */
export function inputPath(step) {
  const variable = `FLOWBENCH_INPUT_${step.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
  const path = process.env[variable];
  if (!path) {
    throw new StepError(
      `${variable} is not set. Run this step through flowbench with \`inputs: [${step}]\`, ` +
        `or set ${variable} to the Parquet file of the ${step} table.`,
    );
  }
  if (!existsSync(path)) throw new StepError(`${variable} points at ${path}, which does not exist.`);
  return path;
}

/**
 * Parses `--name value` options declared as { name: { default: number, min?: number, integer?: boolean } }.
 * Unknown options and values that are not numbers in range are errors, not silently ignored.
 */
export function numericArgs(spec, argv = process.argv.slice(2)) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(spec).map((k) => [k, { type: 'string' }])),
      strict: true,
    }).values;
  } catch (err) {
    throw new StepError(`${err.message}. Options: ${Object.keys(spec).map((k) => `--${k}`).join(' ')}`);
  }
  const out = {};
  for (const [key, rule] of Object.entries(spec)) {
    const raw = parsed[key];
    const value = raw === undefined ? rule.default : Number(raw);
    if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || value < (rule.min ?? -Infinity) ||
        value > (rule.max ?? Infinity)) {
      const kind = rule.integer ? 'an integer' : 'a number';
      const range = [rule.min !== undefined && `>= ${rule.min}`, rule.max !== undefined && `<= ${rule.max}`].filter(Boolean);
      throw new StepError(`--${key} must be ${kind}${range.length ? ` ${range.join(' and ')}` : ''}, got '${raw}'.`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Appends metric points to the file named by FLOWBENCH_METRICS_LOG (one JSON object per line), the
 * language-agnostic metric-history protocol. Outside flowbench (variable unset) points are dropped; the
 * step's own progress lines still show them.
 */
export function metricLogger() {
  const file = process.env.FLOWBENCH_METRICS_LOG;
  return (name, value, step) => {
    if (file) appendFileSync(file, JSON.stringify({ name, value, step, time: Date.now() }) + '\n');
  };
}

/** Writes via a temporary file in the same folder and a rename, so a killed step never leaves half a file. */
export function writeFileAtomic(path, data) {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, target);
}

export function writeJsonAtomic(path, value) {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
