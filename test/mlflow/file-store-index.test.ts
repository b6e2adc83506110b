// The index of parsed runs for an mlruns/ folder (core/mlflow/file-store-index.ts): a second read reuses
// every unchanged run and parses again exactly the runs MLflow's file store changed, each change written
// the way MLflow writes it (meta.yaml replaced by a rename, tags rewritten in place, metric lines appended,
// params and new keys as new files). Every warm read is checked against a read without the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileStoreReader } from '../../core/mlflow/file-store';
import { runIndexFile } from '../../core/mlflow/file-store-index';
import { NUMBER_BY_STATUS } from '../../core/mlflow/model';
import { tempProject, type TempProject } from '../helpers/project';
import { writeFileStore, type FixtureRun } from './fixtures';

const HOUR = 3600_000;
// The fixture's files were written just now; reading "a minute later" leaves the racy window behind
// without waiting for it.
const later = () => Date.now() + 60_000;

function fixtureRun(i: number, status: FixtureRun['status'], endedAgo?: number): FixtureRun {
  const start = Date.now() - 48 * HOUR + i;
  return {
    runId: `run${i}`.padEnd(32, '0'),
    status,
    start,
    ...(endedAgo === undefined ? {} : { end: Date.now() - endedAgo }),
    params: { lr: '0.1', depth: String(i) },
    tags: { 'mlflow.runName': `r${i}`, note: 'aaaa' },
    // nan and inf as MLflow writes them: JSON has neither.
    metrics: { auc: [{ step: 0, timestamp: start, value: 0.5 }], odd: [{ step: 0, timestamp: start, value: i % 2 ? NaN : -Infinity }], 'train/loss': [0, 1].map((s) => ({ step: s, timestamp: start + s, value: 1 - s / 10 })) },
  };
}

function setup(): { p: TempProject; root: string; cacheDir: string; dir(i: number): string } {
  const p = tempProject();
  const root = p.path('mlruns');
  writeFileStore(root, [
    {
      id: '1',
      name: 'exp',
      runs: [fixtureRun(0, 'RUNNING'), fixtureRun(1, 'FINISHED', 30 * HOUR), fixtureRun(2, 'FINISHED', HOUR), fixtureRun(3, 'FAILED', 30 * HOUR)],
    },
  ]);
  return { p, root, cacheDir: p.path('.flowbench/mlflow'), dir: (i) => join(root, '1', `run${i}`.padEnd(32, '0')) };
}

/** A read through the index, checked against a read of every file. */
async function read(root: string, cacheDir: string) {
  const warm = fileStoreReader(root, root, { cacheDir, clock: later });
  const listed = await warm.list();
  assert.deepEqual(listed, await fileStoreReader(root).list(), 'the index gives what reading every file gives');
  return { ...listed, stats: warm.lastRead!, byId: new Map(listed.runs.map((r) => [r.runId.slice(0, 4), r])) };
}

/** MLflow's overwrite_yaml: the new meta.yaml written elsewhere and moved over the old one. */
function replaceMeta(dir: string, edit: (text: string) => string): void {
  const meta = join(dir, 'meta.yaml');
  writeFileSync(`${meta}.tmp`, edit(readFileSync(meta, 'utf8')));
  renameSync(`${meta}.tmp`, meta);
}

test('a second read reuses every run; the index lives in the cache folder', async (t) => {
  const { p, root, cacheDir } = setup();
  t.after(() => p.remove());
  const earlier = runIndexFile(cacheDir, root).replace(/\.idx$/, '.json');
  p.write(relative(p.root, earlier), '{"format":1}');
  const cold = await read(root, cacheDir);
  assert.equal(existsSync(earlier), false, 'the JSON index of earlier versions is removed');
  assert.deepEqual(cold.stats, { reused: 0, parsed: 4 });
  assert.ok(existsSync(runIndexFile(cacheDir, root)));
  assert.deepEqual(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')), [], 'written atomically, no temp file left');
  const warm = await read(root, cacheDir);
  assert.deepEqual(warm.stats, { reused: 4, parsed: 0 });
  assert.deepEqual(warm.runs, cold.runs);
  assert.ok(Number.isNaN(warm.byId.get('run1')!.metrics.odd));
  assert.equal(warm.byId.get('run0')!.metrics.odd, -Infinity);
});

test('each kind of change MLflow makes is picked up, and only the changed run is parsed again', async (t) => {
  const { p, root, cacheDir, dir } = setup();
  t.after(() => p.remove());
  await read(root, cacheDir);
  const changes: [string, () => void, (r: Awaited<ReturnType<typeof read>>) => void][] = [
    ['a metric line appended to a running run', () => appendFileSync(join(dir(0), 'metrics', 'auc'), `${Date.now()} 0.75 1\n`), (r) => assert.equal(r.byId.get('run0')!.metrics.auc, 0.75)],
    ['a metric line appended to a run that ended an hour ago', () => appendFileSync(join(dir(2), 'metrics', 'train', 'loss'), `${Date.now()} 0.25 5\n`), (r) => assert.equal(r.byId.get('run2')!.metrics['train/loss'], 0.25)],
    ['a new metric key on a finished run', () => writeFileSync(join(dir(1), 'metrics', 'f1'), `${Date.now()} 0.6 0\n`), (r) => assert.equal(r.byId.get('run1')!.metrics.f1, 0.6)],
    ['a param added', () => writeFileSync(join(dir(1), 'params', 'seed'), '7'), (r) => assert.equal(r.byId.get('run1')!.params.seed, '7')],
    ['a tag rewritten in place, same length', () => writeFileSync(join(dir(3), 'tags', 'note'), 'bbbb'), (r) => assert.equal(r.byId.get('run3')!.tags.note, 'bbbb')],
    ['a nested tag key in an existing folder', () => (mkdirSync(join(dir(3), 'tags', 'mlflow'), { recursive: true }), writeFileSync(join(dir(3), 'tags', 'mlflow', 'user'), 'ann')), (r) => assert.equal(r.byId.get('run3')!.tags['mlflow/user'], 'ann')],
    ['a tag deleted', () => rmSync(join(dir(1), 'tags', 'note')), (r) => assert.equal(r.byId.get('run1')!.tags.note, undefined)],
    ['the status set in meta.yaml (the run ended)', () => replaceMeta(dir(0), (m) => m.replace(`status: ${NUMBER_BY_STATUS.RUNNING}`, `status: ${NUMBER_BY_STATUS.FINISHED}`).replace('end_time: null', `end_time: ${Date.now()}`)), (r) => assert.equal(r.byId.get('run0')!.status, 'FINISHED')],
  ];
  for (const [what, change, check] of changes) {
    change();
    const r = await read(root, cacheDir);
    assert.deepEqual(r.stats, { reused: 3, parsed: 1 }, what);
    check(r);
  }
  writeFileStore(root, [{ id: '1', name: 'exp', runs: [fixtureRun(4, 'RUNNING')] }]);
  const added = await read(root, cacheDir);
  assert.deepEqual(added.stats, { reused: 4, parsed: 1 }, 'a new run folder');
  rmSync(dir(1), { recursive: true });
  const removed = await read(root, cacheDir);
  assert.deepEqual(removed.stats, { reused: 4, parsed: 0 }, 'a run folder removed');
  assert.equal(removed.byId.has('run1'), false);
});

test('a run whose files are younger than the racy window is parsed again next time', async (t) => {
  const { p, root, cacheDir } = setup();
  t.after(() => p.remove());
  const now = () => Date.now();
  await fileStoreReader(root, root, { cacheDir, clock: now }).list();
  const again = fileStoreReader(root, root, { cacheDir, clock: now });
  await again.list();
  assert.deepEqual(again.lastRead, { reused: 0, parsed: 4 }, 'a second write within the clock tick could hide behind the same stamp');
});

test('notes of a torn run come back on the warm path; a torn index or one that cannot be written costs only time', async (t) => {
  const { p, root, cacheDir, dir } = setup();
  t.after(() => p.remove());
  writeFileSync(join(dir(3), 'meta.yaml'), 'run_id: [unclosed\n');
  const cold = await read(root, cacheDir);
  assert.equal(cold.notes.length, 1);
  const warm = await read(root, cacheDir);
  assert.deepEqual(warm.stats, { reused: 4, parsed: 0 });
  assert.deepEqual(warm.notes, cold.notes);
  const whole = readFileSync(runIndexFile(cacheDir, root));
  // Torn in the stamps, in the header, and not an index at all.
  for (const torn of [whole.subarray(0, whole.length - 8), whole.subarray(0, whole.length >> 2), Buffer.from('{"format":1,"root":')]) {
    writeFileSync(runIndexFile(cacheDir, root), torn);
    assert.deepEqual((await read(root, cacheDir)).stats, { reused: 0, parsed: 4 });
    assert.deepEqual((await read(root, cacheDir)).stats, { reused: 4, parsed: 0 }, 'rewritten');
  }
  const blocked = p.write('not-a-folder', '');
  const r = fileStoreReader(root, root, { cacheDir: join(blocked, 'mlflow'), clock: later });
  assert.equal((await r.list()).runs.length, 3);
});
