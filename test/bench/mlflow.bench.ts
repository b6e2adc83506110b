// MLflow runs into the experiments panel's table: 10,000 runs (10 params, 20 metrics of which 5 are
// histories of 100 points, 2 tags) read from an mlruns/ folder and from an mlflow.db, mapped to summaries
// and built into the RunTable, each in a fresh Node process (cold: nothing JIT-warm, nothing cached in
// memory; the OS page cache is warm, as it is for a folder the user just worked in). Target ≤ 2 s each.
// Baselines, measured in the same run and also cold: a bare walk of the same files (readdirSync +
// readFileSync of every one, as the reader does) and a bare SELECT of the same rows with better-sqlite3.
// mlruns/ is read four ways, each in a fresh process: without the index of parsed runs (every file
// parsed), the first read with an empty index folder (parses everything and writes the index: what a user
// pays once per folder), a read with the index and nothing changed (the target: the panel reopened, the
// CLI run again), and one after 20 runs were changed the way MLflow changes them (a metric appended to a
// running run, a param added, a tag rewritten, a status set), which parses those 20 again.
// FLOWBENCH_BENCH_QUICK=1: 40 runs and no targets, to check the bench works.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FixtureExperiment, FixtureRun } from '../mlflow/fixtures';
import { sqliteStore, writeFileStore } from '../mlflow/fixtures';
import { atMost, median, runBench, size } from './harness';

const RUNS = size(10_000, 40);
const CHUNK = 500;
const TARGET_MS = 2000;

function run(i: number): FixtureRun {
  const start = Date.UTC(2026, 0, 1) + i * 60_000;
  const metrics: FixtureRun['metrics'] = {};
  for (let m = 0; m < 20; m++) {
    const points = m < 5 ? 100 : 1;
    metrics[m < 5 ? `train/history_${m}` : `metric_${m}`] = Array.from({ length: points }, (_, s) => ({ step: s, timestamp: start + s * 10, value: Math.sin(i + m + s / 7) }));
  }
  return {
    runId: i.toString(16).padStart(32, '0'),
    // Every 100th run still running: its metric files are stamped too (core/mlflow/file-store-index.ts).
    status: i % 100 === 7 ? 'RUNNING' : i % 10 === 9 ? 'FAILED' : 'FINISHED',
    start,
    ...(i % 100 === 7 ? {} : { end: start + 30_000 + (i % 17) * 1000 }),
    params: Object.fromEntries(Array.from({ length: 10 }, (_, p) => [`param_${p}`, p === 0 ? String(0.01 * (i % 50)) : p % 3 === 0 ? `model-${i % 4}` : String(p * 10)])),
    tags: { 'mlflow.runName': `run-${i}`, 'mlflow.source.git.commit': 'abc123' },
    metrics,
  };
}

function experimentsFor(from: number, to: number): FixtureExperiment[] {
  const runs = Array.from({ length: to - from }, (_, k) => run(from + k));
  return [{ id: '1', name: 'bench', runs }];
}

/** Runs `code` in a fresh Node process; its last line is its figure in ms, or JSON with `ms`. */
function coldRead(code: string): { ms: number; cpu: number; reused?: number; parsed?: number } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (res.status !== 0) throw new Error(`cold measurement failed: ${res.stderr}`);
  const last = res.stdout.trim().split('\n').pop()!;
  return last.startsWith('{') ? JSON.parse(last) : { ms: Number(last), cpu: NaN };
}
const cold = (code: string) => coldRead(code).ms;

const core = (path: string) => JSON.stringify(join(__dirname, '../..', path));

/** `cacheDir`: the mlruns/ reader's index folder (none: every file parsed). */
function intoTable(uri: string, kind: 'file' | 'sqlite', cacheDir?: string): { ms: number; cpu: number; reused?: number; parsed?: number } {
  return coldRead(`
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    (async () => {
      const { mlflowRunSet } = require(${core('core/mlflow/collect')});
      const reader = ${kind === 'file' ? `require(${core('core/mlflow/file-store')}).fileStoreReader(${JSON.stringify(uri)}, ${JSON.stringify(uri)}, ${JSON.stringify(cacheDir ? { cacheDir } : {})})` : `await require(${core('core/mlflow/sqlite-store')}).sqliteReader(${JSON.stringify(uri)})`};
      const { summaries, notes } = await mlflowRunSet([reader]).load();
      const { RunTable } = require(${core('core/runs/table')});
      const table = RunTable.fromSummaries(summaries);
      if (table.size !== ${RUNS} || notes.length) { console.error(table.size, notes.slice(0, 3)); process.exit(1); }
      const c = process.cpuUsage(c0);
      console.log(JSON.stringify({ ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, ...reader.lastRead }));
    })();`);
}

/** 20 runs changed as MLflow changes them: metric lines appended, params added, tags rewritten, statuses set (`round`: each time anew). */
function changeRuns(root: string, round: number): void {
  const dir = (i: number) => join(root, '1', i.toString(16).padStart(32, '0'));
  const step = Math.max(1, Math.floor(RUNS / 100));
  for (let k = 0; k < 5; k++) {
    appendFileSync(join(dir((k * step + 7) % RUNS), 'metrics', 'metric_5'), `${Date.now()} 0.5 1\n`);
    writeFileSync(join(dir(k * step + 1), 'params', `extra_${round}`), '1');
    writeFileSync(join(dir(k * step + 2), 'tags', 'mlflow.runName'), `renamed-${round}-${k}`);
    const meta = join(dir(k * step + 3), 'meta.yaml');
    const text = readFileSync(meta, 'utf8');
    writeFileSync(`${meta}.tmp`, text.includes('status: 3') ? text.replace('status: 3', 'status: 4') : text.replace('status: 4', 'status: 3'));
    renameSync(`${meta}.tmp`, meta);
  }
}

/** Every file of the store read as the reader reads them (readdirSync + readFileSync), nothing made of them. */
function bareWalk(root: string): number {
  return cold(`
    const { readdirSync, readFileSync } = require('node:fs');
    const { join } = require('node:path');
    const t0 = performance.now();
    let files = 0;
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else { readFileSync(join(dir, e.name), 'utf8'); files++; }
      }
    };
    walk(${JSON.stringify(root)});
    if (files < ${RUNS * 33}) process.exit(1);
    console.log(performance.now() - t0);`);
}

function bareSelect(file: string): number {
  return cold(`
    const t0 = performance.now();
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)}, { readonly: true });
    let rows = 0;
    for (const sql of ['SELECT experiment_id, name, lifecycle_stage FROM experiments', 'SELECT run_uuid, name, status, start_time, end_time, experiment_id FROM runs', 'SELECT run_uuid, key, value FROM params', 'SELECT run_uuid, key, value FROM tags', 'SELECT run_uuid, key, value, is_nan FROM latest_metrics']) rows += db.prepare(sql).raw().all().length;
    if (rows < ${RUNS * 33}) process.exit(1);
    console.log(performance.now() - t0);`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-mlflow-bench-'));
  try {
    const root = join(dir, 'mlruns');
    const dbFile = join(dir, 'mlflow.db');
    const t0 = performance.now();
    const db = sqliteStore(dbFile);
    for (let i = 0; i < RUNS; i += CHUNK) {
      const part = experimentsFor(i, Math.min(RUNS, i + CHUNK));
      writeFileStore(root, part);
      db.add(part);
    }
    db.close();
    console.log(`generated ${RUNS} MLflow runs (10 params, 20 metrics, 5 histories × 100 points) in mlruns/ and mlflow.db in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const samples = size(3, 1);
    const measure = (fn: () => number) => median(Array.from({ length: samples }, fn));
    const walk = measure(() => bareWalk(root));
    const fileTable = measure(() => intoTable(root, 'file').ms);
    console.log(`mlruns/ → RunTable without the index, cold process: ${fileTable.toFixed(0)} ms; bare readdirSync+readFileSync walk of the same files ${walk.toFixed(0)} ms; ratio ${(fileTable / walk).toFixed(2)}×`);
    const cacheDir = join(dir, 'project', '.flowbench', 'mlflow');
    const reads: { ms: number; cpu: number; reused?: number; parsed?: number }[][] = [[], [], []];
    for (let i = 0; i < samples; i++) {
      rmSync(cacheDir, { recursive: true, force: true });
      reads[0]!.push(intoTable(root, 'file', cacheDir));
      reads[1]!.push(intoTable(root, 'file', cacheDir));
      changeRuns(root, i);
      reads[2]!.push(intoTable(root, 'file', cacheDir));
    }
    const indexBytes = readdirSync(cacheDir).reduce((sum, f) => sum + statSync(join(cacheDir, f)).size, 0);
    const [first, warm, changed] = reads.map((r) => ({ ms: median(r.map((x) => x.ms)), cpu: median(r.map((x) => x.cpu)), last: r.at(-1)! }));
    const what = (r: { last: { reused?: number; parsed?: number } }) => `${r.last.parsed} runs parsed, ${r.last.reused} from the index`;
    console.log(`mlruns/ first read, building the index (${(indexBytes / 1e6).toFixed(1)} MB): ${first!.ms.toFixed(0)} ms wall, ${first!.cpu.toFixed(0)} ms CPU (${what(first!)}); ${(first!.ms / fileTable).toFixed(2)}× the read without it`);
    console.log(`mlruns/ after 20 changes (5 each: a metric line on a running run, a param, a tag, a status): ${changed!.ms.toFixed(0)} ms wall, ${changed!.cpu.toFixed(0)} ms CPU (${what(changed!)})`);
    console.log(`mlruns/ → RunTable with the index, nothing changed, cold process: ${warm!.ms.toFixed(0)} ms wall, ${warm!.cpu.toFixed(0)} ms CPU (${what(warm!)}; target ≤ ${TARGET_MS} ms: ${atMost(warm!.ms, TARGET_MS)}); ${(warm!.ms / walk).toFixed(2)}× the bare walk`);
    const select = measure(() => bareSelect(dbFile));
    const dbTable = measure(() => intoTable(dbFile, 'sqlite').ms);
    console.log(`mlflow.db → RunTable, cold process: ${dbTable.toFixed(0)} ms (target ≤ ${TARGET_MS} ms: ${atMost(dbTable, TARGET_MS)}); bare SELECT of the same rows ${select.toFixed(0)} ms; ratio ${(dbTable / select).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
