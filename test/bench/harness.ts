// What every benchmark shares (the convention is described in scripts/bench.mjs): the quick mode CI runs,
// small statistics helpers, and how a figure is judged against its target.
import * as os from 'node:os';

/** Set by `scripts/bench.mjs --quick` (and so by `npm test`): small sizes, a smoke test of the benchmark. */
export const QUICK = process.env.FLOWBENCH_BENCH_QUICK === '1';

/** The full-mode size, or the small one of quick mode. */
export function size<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let missed = 0;

/**
 * "target met" / "target NOT met" in full mode; a missed target makes the benchmark exit with 1 once it has
 * printed everything. Quick mode runs at sizes where targets mean nothing: it judges none.
 */
export function verdict(ok: boolean): string {
  if (QUICK) return '(quick mode: target not judged)';
  if (!ok) missed++;
  return ok ? 'target met' : 'target NOT met';
}

/** `value ≤ target` as a verdict. */
export function atMost(value: number, target: number): string {
  return verdict(value <= target);
}

/** The machine's state, printed first: every ratio below shares it, wall times do not survive it. */
export function printLoad(): void {
  const [one, five] = os.loadavg();
  console.log(`${QUICK ? 'QUICK MODE (small sizes, targets not judged); ' : ''}load average ${one!.toFixed(1)} (5 min ${five!.toFixed(1)}) on ${os.availableParallelism()} cores`);
}

/** Runs a benchmark's main: a thrown error is a broken benchmark (exit 1), and so is a missed target in full mode. */
export function runBench(main: () => Promise<void>): void {
  printLoad();
  main().then(
    () => {
      if (missed) console.log(`${missed} target${missed > 1 ? 's' : ''} NOT met`);
      process.exit(missed ? 1 : 0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
