// Runs every test file under test/ with Node's own test runner (TypeScript through tsx).
// Unit and integration tests run in parallel; then, in a full run, every benchmark once in quick mode (small
// sizes, no targets: a broken benchmark fails the run; see scripts/bench.mjs); end-to-end suites (test/e2e)
// run last, one at a time.
// Usage: node scripts/test.mjs [--unit|--e2e] [filter substring]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const only = args.find((a) => a === '--unit' || a === '--e2e');
const filter = args.find((a) => !a.startsWith('--'));

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (/\.test\.(ts|mts)$/.test(name)) out.push(path);
  }
  return out.sort();
}

const all = find('test').filter((f) => !filter || f.includes(filter));
const e2e = all.filter((f) => f.startsWith(join('test', 'e2e')));
const unit = all.filter((f) => !e2e.includes(f));

const SUITE_TIMEOUT_MS = 40 * 60 * 1000;

function run(files, concurrency) {
  if (files.length === 0) return 0;
  const res = spawnSync(
    process.execPath,
    // A test that hangs fails after 5 minutes, and a file whose process lingers after its tests (a stray
    // handle) is ended, so CI fails loudly instead of waiting out its time limit.
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', '--test-force-exit', '--test-reporter=spec', ...files],
    { stdio: 'inherit', timeout: SUITE_TIMEOUT_MS, killSignal: 'SIGKILL' },
  );
  if (res.error) console.error(`test run stopped: ${res.error.message}`);
  return res.status ?? 1;
}

let status = 0;
if (only !== '--e2e') {
  if (unit.length === 0) { console.error('no unit test files found'); process.exit(1); }
  status ||= run(unit, 2);
}
if (only !== '--unit' && status === 0 && e2e.length > 0) {
  // The end-to-end suites (and the extension benchmark) drive a real VS Code (code-server) in Debian's
  // Chromium; install them if missing.
  const setup = spawnSync('bash', ['scripts/setup-e2e.sh'], { stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error('scripts/setup-e2e.sh failed: the end-to-end suite cannot run (see its output above).');
    process.exit(1);
  }
  if (!only && !filter) {
    const bench = spawnSync(process.execPath, ['scripts/bench.mjs', '--quick'], { stdio: 'inherit', timeout: 10 * 60 * 1000, killSignal: 'SIGKILL' });
    if (bench.status !== 0) console.error(`benchmarks in quick mode failed (${bench.error?.message ?? `exit ${bench.status}`}): see above.`);
    status ||= bench.status ?? 1;
  }
  if (status === 0) status = run(e2e, 1);
}
process.exit(status);
