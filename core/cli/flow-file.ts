// Which flow file a command works on: the one named, or the single *.flow.yaml in the current folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './errors';

const FLOW_FILE = /\.flow\.ya?ml$/;

export function resolveFlowFile(arg: string | undefined, cwd = process.cwd()): string {
  if (arg !== undefined) {
    const path = resolve(cwd, arg);
    if (existsSync(path) && statSync(path).isDirectory()) return defaultFlowFile(path);
    if (!existsSync(path)) throw new UsageError(`flow file '${arg}' does not exist`, 'check the path, or run from the folder holding your *.flow.yaml and leave it out');
    return path;
  }
  return defaultFlowFile(cwd);
}

function defaultFlowFile(dir: string): string {
  const candidates = readdirSync(dir).filter((name) => FLOW_FILE.test(name)).sort();
  if (candidates.length === 1) return join(dir, candidates[0]);
  if (candidates.length === 0) {
    throw new UsageError(`no *.flow.yaml file in ${dir}`, 'name the flow file (flowbench run path/to/NAME.flow.yaml) or cd to the folder that holds it');
  }
  throw new UsageError(`several flow files in ${dir}: ${candidates.join(', ')}`, `name the one you mean, e.g. flowbench run ${candidates[0]}`);
}
