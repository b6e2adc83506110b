// Run store at 10,000 runs: list() of all of them and get() of one, in a fresh process (cold) and
// repeated in one process (warm), against the naive layout cost of opening every record. Then the run
// table the experiments panel and `flowbench runs --filter/--sort` use, at 10,000 and 100,000 runs ×
// 100 params/metrics, from a run store on disk: its build as the panel does it (a summary reader, from the
// table cache runs/index.table where valid) against parsing every index line (the build before the cache),
// the first read that writes the cache, a read with runs appended since the cache, and list() (the CLI's),
// A/B in the same run; then filter, multi-column sort, a window of rows (in Node; the panel's bench
// measures the same end to end in Chromium).
// FLOWBENCH_BENCH_QUICK=1: small sizes and no targets, to check the bench works.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilter, parseSort } from '../../core/runs/query';
import { openRunStore } from '../../core/runs/store';
import { RunTable } from '../../core/runs/table';
import { fakeRun } from '../runs/fake-run';
import { generateSummaries, writeRunStore } from './generate-runs';
import { atMost, median, runBench, size } from './harness';

const RUNS = size(10_000, 500);
/** Table sizes, each with its sort/filter target in ms. */
const TABLE_SIZES: [number, number][] = size([[10_000, 100], [100_000, 250]], [[1_000, 100], [5_000, 250]]);
const steps = ['staging', 'features', 'train', 'evaluate'];

/** Through the real recorder, without fsync: the bench measures reading, not the disk's flush latency. */
function generate(state: string): number {
  const store = openRunStore(state, { fsync: false });
  const t0 = performance.now();
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < RUNS; i++) {
    const params = Object.fromEntries(Array.from({ length: 10 }, (_, p) => [`param_${p}`, p === 0 ? 0.01 * (i % 50) : p * 10]));
    const metrics = Object.fromEntries(steps.map((s, k) => [s, Object.fromEntries(Array.from({ length: 5 }, (_, m) => [`${s}_metric_${m}`, Math.sin(i + k * 5 + m)]))]));
    const histories = { train: Object.fromEntries(Array.from({ length: 5 }, (_, h) => [`history_${h}`, Array.from({ length: 50 }, (_, x) => 1 / (x + 1 + i % 7))])) };
    const rec = store.recorder();
    const runId = `${new Date(base + i * 60_000).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${(i % 65536).toString(16).padStart(4, '0')}`;
    for (const e of fakeRun({ runId, flow: 'bench', start: base + i * 60_000, params, steps, metrics, histories, failStep: i % 10 === 9 ? 'train' : undefined })) rec(e);
  }
  return performance.now() - t0;
}

/** Runs one measurement in a fresh Node process, so nothing is JIT-warm or cached in memory. */
function coldMeasure(state: string, what: 'list' | 'get', id = ''): number {
  const code = `
    const { openRunStore } = require(${JSON.stringify(join(__dirname, '../../core/runs/store'))});
    const store = openRunStore(${JSON.stringify(state)});
    const t0 = performance.now();
    const p = ${what === 'list' ? 'store.list()' : `store.get(${JSON.stringify(id)})`};
    p.then((r) => { if (!r || (Array.isArray(r) && r.length !== ${RUNS})) process.exit(1); console.log(performance.now() - t0); });`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`cold ${what} failed: ${res.stderr}`);
  return Number(res.stdout.trim());
}

async function p50(times: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < size(times, 2); i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const verdict = (ms: number, target: number) => ` (target ≤ ${target} ms) ${atMost(ms, target)}`;

function p50Sync(times: number, fn: (i: number) => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/**
 * The panel's build (workspace-runs.ts, experiments-controller.ts): the store's summary reader into the
 * table. With a table sink (the panel's) it reads the table cache where one is valid and writes one where
 * parsing was needed; without, it parses every line into the table (the build before the cache).
 */
async function streamedTable(state: string, cache = true): Promise<RunTable> {
  const table = RunTable.fromSummaries([]);
  const store = openRunStore(state);
  await store.summaryReader({ put: (s) => void table.upsert(s), drop: (id) => void table.remove(id), ...(cache && { putTable: (runs: RunTable) => table.absorb(runs) }) }).read();
  for (const id of await store.starred()) table.setStarred(id, true);
  return table;
}

/** The CLI's build: every summary listed, then the table made from them. */
async function listedTable(state: string): Promise<RunTable> {
  const store = openRunStore(state);
  return RunTable.fromSummaries(await store.list(), await store.starred());
}

interface Build {
  wall: number;
  cpu: number;
  heapMb: number;
}

/** Runs appended to the index after the cache was written, as the CLI appends them. */
function appendRuns(state: string, count: number): void {
  let text = '';
  for (const s of generateSummaries(count, { params: 50, metrics: 50 }, 7)) {
    const id = s.id.replace(/^2026/, '2027');
    mkdirSync(join(state, 'runs', id));
    text += JSON.stringify({ ...s, id }) + '\n';
  }
  appendFileSync(join(state, 'runs', 'index.jsonl'), text);
}

/** Wall and CPU time of one build, and the heap it leaves (the table, and what else the path keeps). */
async function timeBuild(build: () => Promise<RunTable>): Promise<Build> {
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const table = await build();
  const wall = performance.now() - t0;
  const { user, system } = process.cpuUsage(cpu0);
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  if (table.size === 0) throw new Error('no runs were read');
  return { wall, cpu: (user + system) / 1000, heapMb };
}

async function tableBench(dir: string, runs: number, target: number): Promise<void> {
  const state = join(dir, `table-${runs}`, '.flowbench');
  let t0 = performance.now();
  const bytes = writeRunStore(state, runs, { params: 50, metrics: 50 });
  const n = runs.toLocaleString('en-US');
  console.log(`\nrun table, ${n} runs × 100 params/metrics, from a store on disk (index ${(bytes / 2 ** 20).toFixed(0)} MB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s):`);
  // Alternating, so all see the same load: the build without the cache (every line parsed), the first
  // read of a store (parsing, and writing the cache), a read from the cache, and one from the cache with
  // runs appended since; then list() and a table, the CLI's path (the summaries are what its heap holds).
  const cacheFile = join(state, 'runs', 'index.table');
  const parsed: Build[] = [];
  const writing: Build[] = [];
  const warm: Build[] = [];
  for (let i = 0; i < size(3, 1); i++) {
    parsed.push(await timeBuild(() => streamedTable(state, false)));
    rmSync(cacheFile, { force: true });
    writing.push(await timeBuild(() => streamedTable(state)));
    warm.push(await timeBuild(() => streamedTable(state)));
  }
  const cacheBytes = statSync(cacheFile).size;
  // The table the figures below are measured on, as the panel has it: from the cache.
  const table = await streamedTable(state);
  const appended = size(100, 20);
  appendRuns(state, appended);
  const grown: Build[] = [];
  for (let i = 0; i < size(3, 1); i++) grown.push(await timeBuild(() => streamedTable(state)));
  if (statSync(cacheFile).size !== cacheBytes) throw new Error(`${appended} appended runs rewrote the cache`);
  const listed = [await timeBuild(() => listedTable(state))];
  const med = (xs: Build[], key: keyof Build) => median(xs.map((x) => x[key]));
  const show = (label: string, xs: Build[]) => `${label} p50: ${fmt(med(xs, 'wall'))}, CPU ${fmt(med(xs, 'cpu'))}, heap after ${med(xs, 'heapMb').toFixed(0)} MB`;
  const ratio = (a: Build[], b: Build[]) => `wall ${(med(a, 'wall') / med(b, 'wall')).toFixed(2)}×, CPU ${(med(a, 'cpu') / med(b, 'cpu')).toFixed(2)}×`;
  const openTarget = runs >= 100_000 ? 1500 : 1000;
  console.log(`  ${show('build, every index line parsed (no cache; before)', parsed)}${verdict(med(parsed, 'wall'), openTarget)}`);
  console.log(`  ${show('build, first read: parsed, cache written', writing)}; vs no cache ${ratio(writing, parsed)}`);
  console.log(`  ${show('build from the table cache (the panel\'s open)', warm)}${verdict(med(warm, 'wall'), openTarget)}; vs no cache ${ratio(warm, parsed)}`);
  console.log(`  ${show(`build from the cache + ${appended} runs appended since`, grown)}; vs no cache ${ratio(grown, parsed)}`);
  console.log(`  table cache on disk: ${(cacheBytes / 2 ** 20).toFixed(1)} MB, ${((cacheBytes / bytes) * 100).toFixed(0)}% of the index (${(bytes / 2 ** 20).toFixed(0)} MB)`);
  console.log(`  ${show('list() then table (the CLI\'s path)', listed)}`);
  t0 = performance.now();
  const columns = table.columns();
  const columnsMs = performance.now() - t0;
  const keys = table.columnKeys();
  const must = <T>(r: { problems: unknown[] } & T): T => {
    if (r.problems.length) throw new Error(JSON.stringify(r.problems));
    return r;
  };
  const filter = must(parseFilter('metrics.auc > 0.5 and params.learning_rate < 0.01 and status = succeeded', keys)).filter;
  const sort = must(parseSort('params.optimizer, metrics.auc desc, start', keys)).keys;
  const filterMs = p50Sync(9, () => table.select({ filter }));
  // Cold: the first sort by a column builds its sort arrays; each sample uses columns not sorted by before.
  const coldSort = p50Sync(9, (i) => table.select({ sort: [{ column: `params.param_${String(2 + i * 3).padStart(3, '0')}`, descending: i % 2 === 1 }, { column: `metrics.metric_${String(1 + i).padStart(3, '0')}`, descending: false }] }));
  const warmSort = p50Sync(9, () => table.select({ sort }));
  const both = p50Sync(9, () => table.select({ filter, sort }));
  t0 = performance.now();
  table.select({ sort: [{ column: 'id', descending: true }] });
  const idSort = performance.now() - t0;
  const view = table.select({ filter, sort });
  const shown = columns.map((c) => c.key);
  const rowsMs = p50Sync(50, (i) => table.rows(view, (i * 997) % Math.max(1, view.length - 60), 60, shown));
  console.log(`  ${columns.length} columns (50 params, 50 metrics, info); columns() with differs: ${fmt(columnsMs)}`);
  console.log(`  filter (3 conditions) p50: ${fmt(filterMs)}${verdict(filterMs, target)}`);
  console.log(`  sort by 2 columns not sorted by before p50: ${fmt(coldSort)}${verdict(coldSort, target)}`);
  console.log(`  sort by 3 columns (text, number, time) again p50: ${fmt(warmSort)}${verdict(warmSort, target)}`);
  console.log(`  filter + 3-column sort p50: ${fmt(both)}${verdict(both, target)} (${view.length.toLocaleString('en-US')} rows)`);
  console.log(`  sort by id (${n} distinct strings), first time: ${fmt(idSort)}${verdict(idSort, target)}`);
  console.log(`  rows() of a 60-row window × ${shown.length} columns p50: ${fmt(rowsMs)}${verdict(rowsMs, 16)}`);
}

runBench(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-runs-bench-'));
  const state = join(dir, '.flowbench');
  try {
    const genMs = generate(state);
    console.log(`generated ${RUNS} runs through the recorder (10 params, 20 metrics, 5 histories × 50 points; no fsync): ${(genMs / 1000).toFixed(1)} s, ${(genMs / RUNS).toFixed(2)} ms/run`);
    const store = openRunStore(state);
    const all = await store.list();
    if (all.length !== RUNS) throw new Error(`list returned ${all.length} runs`);
    const id = all[RUNS / 2]!.id;

    const coldList = coldMeasure(state, 'list');
    const coldGet = coldMeasure(state, 'get', id);
    // A fresh store parses the whole index; a long-lived one (the extension) only what was appended since.
    const freshList = await p50(9, () => openRunStore(state).list());
    const warmList = await p50(15, () => store.list());
    const warmGet = await p50(50, () => store.get(id));
    const prefixGet = await p50(20, () => store.get(id.slice(0, 17)));

    // What a user waits for: the bundled CLI listing the newest 20 of 10,000 runs, process start included.
    writeFileSync(join(dir, 'bench.flow.yaml'), 'flow: bench\nsteps:\n  train:\n    run: echo train\n');
    const cliMs = await p50(5, async () => {
      const res = spawnSync(process.execPath, [join(__dirname, '../../dist/cli.js'), 'runs'], { cwd: dir, encoding: 'utf8' });
      if (res.status !== 0 || !res.stdout.includes(all[0].id)) throw new Error(`flowbench runs failed: ${res.stderr}`);
    });
    const nodeMs = await p50(5, async () => spawnSync(process.execPath, ['-e', '0']));

    // The naive layout: open and parse every record to list.
    const naive = await p50(3, async () => {
      for (const name of readdirSync(join(state, 'runs'))) {
        if (name.endsWith('.jsonl')) continue;
        JSON.parse(readFileSync(join(state, 'runs', name, 'record.json'), 'utf8'));
      }
    });
    unlinkSync(join(state, 'runs', 'index.jsonl'));
    const t0 = performance.now();
    await store.list();
    const rebuild = performance.now() - t0;

    console.log(`list ${RUNS} runs, cold process: ${fmt(coldList)}${verdict(coldList, 250)}`);
    console.log(`list ${RUNS} runs, fresh store in a warm process p50: ${fmt(freshList)}${verdict(freshList, 150)}`);
    console.log(`list ${RUNS} runs, long-lived store p50: ${fmt(warmList)}${verdict(warmList, 50)}`);
    console.log(`get one run (with 250 history points), cold process: ${fmt(coldGet)}${verdict(coldGet, 50)}`);
    console.log(`get one run, warm p50: ${fmt(warmGet)}${verdict(warmGet, 10)}; by id prefix: ${fmt(prefixGet)}`);
    console.log(`flowbench runs (newest 20 of ${RUNS}), whole process: p50 ${fmt(cliMs)}${verdict(cliMs, 600)}; bare node start ${fmt(nodeMs)}`);
    console.log(`opening every record instead (naive layout), p50: ${fmt(naive)}; a fresh index list is ${(naive / freshList).toFixed(1)}× faster`);
    console.log(`rebuilding a lost index from ${RUNS} records: ${fmt(rebuild)} (${(rebuild / freshList).toFixed(1)}× a normal list)`);

    // What the panel's host does on open: the index (or its table cache, which the first read writes) into the table, stars.
    const openMs = await p50(5, () => streamedTable(state));
    console.log(`run table with stars from the store, ${RUNS} runs (the panel host's open, from its table cache after the first) p50: ${fmt(openMs)}${verdict(openMs, 250)}`);
    for (const [runs, target] of TABLE_SIZES) {
      await tableBench(dir, runs, target);
      rmSync(join(dir, `table-${runs}`), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
