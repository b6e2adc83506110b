// A sweep as plain data (SweepSpec: what the flow's `sweeps:` or the CLI's --grid/--random say) and its
// expansion to variants: a pure, deterministic function, so a resumed sweep and the editor's preview name
// the same variants. Native-free: the extension calls it in-process.
import type { Sweep } from '../flow/model';
import { mulberry32 } from './prng';

export interface RandomAxisSpec {
  param: string;
  min?: number;
  max?: number;
  log?: boolean;
  choices?: unknown[];
}

export interface SweepSpec {
  name: string;
  grid: { param: string; values: unknown[] }[];
  random: RandomAxisSpec[];
  /** Random draws per grid point (with `random`). */
  count?: number;
  seed?: number;
  /** Explicit param sets. */
  list: Record<string, unknown>[];
}

export function specOf(sweep: Sweep): SweepSpec {
  return {
    name: sweep.name,
    grid: sweep.grid.map((a) => ({ param: a.param, values: (a.values ?? []).map((v) => v.value) })),
    random: sweep.random.map(({ param, min, max, log, choices }) => ({ param, ...(choices ? { choices } : { min, max, log: log ?? false }) })),
    ...(sweep.count ? { count: sweep.count.value } : {}),
    ...(sweep.seed ? { seed: sweep.seed.value } : {}),
    list: sweep.list.map((e) => Object.fromEntries(e.params.map((p) => [p.param, p.value]))),
  };
}

/**
 * Every variant's params, in order: for each list entry (or none), every grid combination (the first grid
 * param varying slowest), and for each `count` random draws. Draws come from one mulberry32 stream seeded
 * by `seed` (default 0), one number per random param per variant, in declaration order; drawn floats keep 6
 * significant digits, so they read well on a command line and in the experiments table.
 */
export function expandSweep(spec: SweepSpec): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = spec.list.length ? spec.list.map((e) => ({ ...e })) : [{}];
  for (const axis of spec.grid) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.param]: v })));
  if (!spec.random.length) return combos;
  const next = mulberry32(spec.seed ?? 0);
  const draws = spec.count ?? 0;
  const out: Record<string, unknown>[] = [];
  for (const combo of combos) {
    for (let d = 0; d < draws; d++) {
      const variant = { ...combo };
      for (const axis of spec.random) variant[axis.param] = draw(axis, next());
      out.push(variant);
    }
  }
  return out;
}

function draw(axis: RandomAxisSpec, u: number): unknown {
  if (axis.choices) return axis.choices[Math.min(axis.choices.length - 1, Math.floor(u * axis.choices.length))];
  const min = axis.min!;
  const max = axis.max!;
  const x = axis.log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
  return Number(x.toPrecision(6));
}
