// `--grid name=v1,v2` and `--random name=a..b[:log]` / `--random name=x,y` → a SweepSpec for an ad hoc sweep.
// Values are YAML scalars as in `--set`; every name must be one of the flow's params.
import type { Flow } from '../flow/model';
import type { RandomAxisSpec, SweepSpec } from '../sweeps/expand';
import { UsageError } from './errors';
import { knownParam, parseScalar } from './overrides';

export function adHocSpec(flow: Flow, opts: { name: string; grid: string[]; random: string[]; count?: number; seed?: number }): SweepSpec {
  const split = (flag: string, text: string, example: string): [string, string] => {
    const eq = text.indexOf('=');
    if (eq <= 0 || eq === text.length - 1) throw new UsageError(`${flag} expects name=values, got '${text}'`, `e.g. ${flag} ${example}`, 'sweep');
    return [knownParam(text.slice(0, eq), flow, 'sweep'), text.slice(eq + 1)];
  };
  const seen = new Set<string>();
  const once = (param: string) => {
    if (seen.has(param)) throw new UsageError(`param '${param}' is swept twice`, 'give each param one --grid or one --random', 'sweep');
    seen.add(param);
  };
  const grid = opts.grid.map((g) => {
    const [param, values] = split('--grid', g, 'learning_rate=0.001,0.003');
    once(param);
    return { param, values: values.split(',').map(parseScalar) };
  });
  const random = opts.random.map((r): RandomAxisSpec => {
    const [param, text] = split('--random', r, 'l2=1e-6..1e-3:log');
    once(param);
    const parts = text.split('..');
    if (parts.length !== 2) return { param, choices: text.split(',').map(parseScalar) };
    const log = /:log$/i.test(parts[1]!);
    const [min, max] = [Number(parts[0]!.trim()), Number(parts[1]!.replace(/:log$/i, '').trim())];
    if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) throw new UsageError(`--random ${param}: '${text}' is no range low..high with low below high`, 'e.g. --random l2=1e-6..1e-3:log', 'sweep');
    if (log && min <= 0) throw new UsageError(`--random ${param}: a log range needs a low end above 0, got ${min}`, 'e.g. --random l2=1e-6..1e-3:log', 'sweep');
    return { param, min, max, log };
  });
  if (random.length && opts.count === undefined) throw new UsageError('--random needs --count N, the number of draws', 'e.g. --random l2=1e-6..1e-3:log --count 20', 'sweep');
  if (!grid.length && !random.length) throw new UsageError('an ad hoc sweep needs --grid or --random', 'e.g. flowbench sweep --grid learning_rate=0.001,0.003, or name a sweep declared under `sweeps:`', 'sweep');
  return { name: opts.name, grid, random, ...(opts.count !== undefined ? { count: opts.count } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}), list: [] };
}
