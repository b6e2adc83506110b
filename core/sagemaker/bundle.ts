// What a SageMaker job of a `run:` step needs, as content-addressed objects: every file of the step's deps
// and `inputs:` (Parquet exports), named by the sha256 the engine already computed for its fingerprint, plus
// one generated shell script, itself named by its sha256, that rebuilds the project tree from them inside the
// container, runs the command there with the step's FLOWBENCH_* variables and copies the declared outs to
// where SageMaker collects a job's output. Equal inputs give equal names, so nothing is uploaded twice.
import * as path from 'node:path';
import type { Step } from '../flow/model';
import { quoteWord } from '../flow/shell-quote';
import { formatParam, upperSnake } from '../flow/interpolate';
import type { ContentHasher } from '../engine/hasher';
import { sha256Text } from '../engine/hasher';
import { tableExportPath } from '../engine/fingerprint';
import { leafParams } from '../engine/params';

export interface BundleObject {
  /** sha256 hex of the content: the object's name under the prefix's `objects/`. */
  hash: string;
  size: number;
  /** Where the bytes are on this machine; absent for the generated script, which is `text`. */
  abs?: string;
  text?: string;
}

export interface JobBundle {
  /** Distinct objects, the script first. */
  objects: BundleObject[];
  scriptHash: string;
  /** Project-relative path → object hash, as the script lays the tree out. */
  tree: Record<string, string>;
}

export interface BundleInput {
  root: string;
  step: Step;
  /** The command after interpolation, as its fingerprint has it. */
  command: string;
  cwd: string;
  params: Map<string, unknown>;
  outs: string[];
}

/** Files of deps and inputs that do not exist are the step's own problem: the command fails as it would locally. */
export async function buildBundle(input: BundleInput, hasher: ContentHasher): Promise<JobBundle> {
  const { root, step } = input;
  const tree: Record<string, string> = {};
  const objects = new Map<string, BundleObject>();
  const add = (rel: string, abs: string, hash: string, size: number) => {
    tree[rel] = hash;
    if (!objects.has(hash)) objects.set(hash, { hash, size, abs });
  };
  const paths = [...step.deps.map((d) => d.value), ...step.inputs.map((i) => tableExportPath(i.value))];
  const digests = await Promise.all(paths.map((p) => hasher.digest(path.resolve(root, p), { regularOnly: true })));
  paths.forEach((p, i) => {
    const d = digests[i];
    const rel = path.relative(root, path.resolve(root, p)).split(path.sep).join('/');
    if (d?.kind === 'file') add(rel, path.resolve(root, p), d.hash, d.size);
    else if (d?.kind === 'dir') for (const f of d.files) add(`${rel}/${f.path}`, path.resolve(root, p, f.path), f.hash, f.size);
  });
  const inputs = Object.fromEntries(step.inputs.map((i) => [i.value, tableExportPath(i.value)]));
  const script = jobScript({ tree, inputs, command: input.command, cwd: input.cwd, outs: input.outs, params: input.params, step: step.name });
  const scriptHash = sha256Text(script);
  return { objects: [{ hash: scriptHash, size: Buffer.byteLength(script), text: script }, ...objects.values()], scriptHash, tree };
}

interface ScriptInput {
  tree: Record<string, string>;
  inputs: Record<string, string>;
  command: string;
  cwd: string;
  outs: string[];
  params: Map<string, unknown>;
  step: string;
}

/**
 * `sh <script> <input folder> <output folder>`. Files are copied, not linked: a module resolves its
 * relative imports from its real path, which must be the project tree, not the object store. Every value
 * the script carries is a quoted word; the command runs exactly as it would under `sh -c` locally.
 */
export function jobScript(s: ScriptInput): string {
  const q = quoteWord;
  const lines = [
    '#!/bin/sh',
    `# written by flowbench for step ${s.step}: rebuilds the project tree, runs the step, keeps its outs`,
    'set -eu',
    'IN=$1 OUT=$2',
    'W=$(mktemp -d)',
    'trap \'rm -rf "$W"\' EXIT',
  ];
  for (const [rel, hash] of Object.entries(s.tree).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const dir = path.posix.dirname(rel);
    if (dir !== '.') lines.push(`mkdir -p "$W"/${q(dir)}`);
    lines.push(`cp "$IN"/${hash} "$W"/${q(rel)}`);
  }
  const params = leafParams(s.params);
  lines.push(
    'export FLOWBENCH_FLOW_ROOT="$W"',
    `export FLOWBENCH_PARAMS=${q(JSON.stringify(Object.fromEntries(params)))}`,
    'export FLOWBENCH_METRICS_LOG="$W/.flowbench/metrics.jsonl"',
  );
  const inputsJson = Object.entries(s.inputs).map(([step, rel]) => `${JSON.stringify(step)}:"'"$W"'/${rel}"`);
  lines.push(`export FLOWBENCH_INPUTS='{${inputsJson.join(',')}}'`);
  for (const [step, rel] of Object.entries(s.inputs)) lines.push(`export FLOWBENCH_INPUT_${upperSnake(step)}="$W"/${q(rel)}`);
  for (const [name, value] of params) lines.push(`export FLOWBENCH_PARAM_${upperSnake(name)}=${q(formatParam(value))}`);
  lines.push(
    'mkdir -p "$W/.flowbench"',
    `cd "$W"/${q(s.cwd)}`,
    'status=0',
    `/bin/sh -c ${q(s.command)} || status=$?`,
    'cd "$W"',
  );
  // Whatever the command produced goes back even when it failed: a partial out helps to see why.
  for (const out of s.outs) {
    const rel = out.replace(/\/+$/, '');
    lines.push(`if [ -e ${q(rel)} ]; then mkdir -p "$OUT"/${q(path.posix.dirname(rel))}; cp -R ${q(rel)} "$OUT"/${q(rel)}; fi`);
  }
  lines.push('exit $status', '');
  return lines.join('\n');
}
