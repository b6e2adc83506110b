// Checks of `sweeps:` against the rest of the flow: every swept param must be one of the flow's params
// (FB090, with the closest name as a fix), and a sweep must stay a size one machine can run (FB096).
import type { Flow, Problem, Range, Sweep } from './model';
import { replaceFix } from './parse';
import { closest } from './suggest';

/** Past this many variants a sweep is a typo (an extra zero in `count:`) more often than a plan. */
export const MAX_VARIANTS = 10_000;

/** How many variants a sweep expands to: list entries × grid combinations × random draws. */
export function variantCount(sweep: Sweep): number {
  const grid = sweep.grid.reduce((n, axis) => n * (axis.values?.length ?? 1), 1);
  const draws = sweep.random.length ? sweep.count?.value ?? 0 : 1;
  return Math.max(1, sweep.list.length) * grid * draws;
}

export function checkSweeps(flow: Flow): Problem[] {
  const problems: Problem[] = [];
  const known = [...flow.params.keys()];
  const problem = (code: string, message: string, range: Range, fixes?: Problem['fixes']): Problem =>
    ({ code, severity: 'error', message, file: flow.file, range, ...(fixes ? { fixes } : {}) });
  for (const sweep of flow.sweeps.values()) {
    const named = [...sweep.grid, ...sweep.random, ...sweep.list.flatMap((e) => e.params)];
    for (const { param, keyRange } of named) {
      if (flow.params.has(param)) continue;
      const guess = closest(param, known);
      const hint = guess ? ` Did you mean '${guess}'?` : known.length ? ` Params of this flow: ${known.join(', ')}.` : ' This flow declares no params: add it under `params:` first.';
      problems.push(problem('FB090', `Sweep '${sweep.name}' varies '${param}', which is not a param of this flow.${hint}`, keyRange, guess ? [replaceFix(guess, keyRange)] : undefined));
    }
    const n = variantCount(sweep);
    if (n > MAX_VARIANTS) problems.push(problem('FB096', `Sweep '${sweep.name}' expands to ${n} variants, more than ${MAX_VARIANTS}: lower \`count:\` or split the grid.`, sweep.nameRange));
  }
  return problems;
}
