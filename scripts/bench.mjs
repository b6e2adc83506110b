// Runs every benchmark under test/bench/ (files named *.bench.ts) one after another; each prints its own figures.
// Usage: node scripts/bench.mjs [--quick] [filter substring]
//
// The convention every benchmark file follows (test/bench/harness.ts has the helpers):
// - It measures its baseline in the same run (bare spawns, bare DuckDB, md5sum, sqlfluff, …) and prints the
//   figure, the baseline and their ratio; a wall time alone means nothing on a shared machine.
// - It ends in `runBench(main)`, which prints the load first and sets the exit status: 0 all good, 1 a target
//   not met (full mode only), 2 the benchmark itself broke (a thrown error, a failing baseline tool).
// - Quick mode: `--quick` sets FLOWBENCH_BENCH_QUICK=1. The file then picks small sizes with
//   `size(full, quick)` and judges no target (`verdict`/`atMost` say so instead of "target met / NOT met"),
//   so it runs in seconds and only proves the benchmark still works. `npm test` runs every benchmark this way
//   after the unit tests, so a broken benchmark fails CI: keep a new file's quick mode to a few seconds.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = args.find((a) => !a.startsWith('--'));
const dir = join('test', 'bench');
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filter}`);
  process.exit(2);
}
const broken = [];
const missed = [];
for (const file of files) {
  console.log(`\n=== ${file}${quick ? ' (quick)' : ''}`);
  const started = Date.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], {
    stdio: 'inherit',
    env: { ...process.env, FLOWBENCH_BENCH_QUICK: quick ? '1' : '' },
  });
  if (quick) console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (res.status === 1 && !quick) missed.push(file);
  else if (res.status !== 0) broken.push(`${file} (${res.error?.message ?? (res.signal ? `killed by ${res.signal}` : `exit ${res.status}`)})`);
}
console.log('');
if (missed.length) console.log(`targets not met in: ${missed.join(', ')}`);
if (broken.length) console.log(`BROKEN benchmarks: ${broken.join(', ')}`);
if (!missed.length && !broken.length) console.log(quick ? `all ${files.length} benchmarks ran (quick mode)` : 'every target met');
process.exit(broken.length ? 2 : missed.length ? 1 : 0);
