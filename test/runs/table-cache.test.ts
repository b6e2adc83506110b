// The table cache (core/runs/table-cache.ts) as a summary reader uses it: whatever happens to the cache or
// the index, a read gives exactly what parsing the whole index gives (the reader without a table sink,
// which never touches the cache), and the cache is used only where it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRunStore, type ReadStats, type SummaryReader } from '../../core/runs/store';
import { readTableCache } from '../../core/runs/table-cache';
import { RunTable } from '../../core/runs/table';
import type { RunSummary } from '../../core/runs/types';
import { generateSummaries, writeRunStore } from '../bench/generate-runs';
import { fakeRun } from './fake-run';

function tempState(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-table-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, '.flowbench');
}

const indexOf = (state: string) => join(state, 'runs', 'index.jsonl');
const cacheOf = (state: string) => join(state, 'runs', 'index.table');

/** A reader into a table, as the panel's: with a table sink (the cache's path) or without (every line parsed). */
function tableReader(state: string, withTable = true) {
  const table = RunTable.fromSummaries([]);
  const warnings: string[] = [];
  const reader: SummaryReader = openRunStore(state, { warn: (m) => warnings.push(m) }).summaryReader({
    put: (s) => void table.upsert(s),
    drop: (id) => void table.remove(id),
    ...(withTable && { putTable: (runs: RunTable) => table.absorb(runs) }),
  });
  return { table, warnings, reader };
}

async function read(state: string, withTable = true): Promise<{ table: RunTable; warnings: string[]; stats: ReadStats }> {
  const r = tableReader(state, withTable);
  const stats = await r.reader.read();
  return { table: r.table, warnings: r.warnings, stats };
}

/** Everything a table shows: columns (with types and differs), every cell of every run by id, what it skipped. */
function dump(table: RunTable) {
  const view = table.select({ sort: [{ column: 'id', descending: false }] });
  const columns = table.columns();
  return { columns, rows: table.rows(view, 0, view.length, columns.map((c) => c.key)), skipped: table.skipped() };
}

/** What parsing the whole index gives. */
async function truth(state: string) {
  return dump((await read(state, false)).table);
}

/** A store of `count` runs with the awkward values real ones have, plus hand-written lines: a torn one, a
 *  boolean and an object param, a text metric, a sweep. */
function makeStore(state: string, count = 300): void {
  writeRunStore(state, count, { params: 12, metrics: 12 });
  const odd: RunSummary = {
    ...generateSummaries(1, { params: 3, metrics: 3 })[0],
    id: '20270101-000000-0dd0',
    status: 'succeeded',
    params: { flag: true, off: false, nested: { a: [1, 2] }, lr: 0.1 },
    metrics: { auc: 'n/a' as unknown as number, loss: 0.25 },
    sweep: { name: 'grid', id: 's1', variant: 0, of: 2 },
  };
  mkdirSync(join(state, 'runs', odd.id));
  appendFileSync(indexOf(state), '{"id":"2026112\n' + JSON.stringify(odd) + '\n');
}

function moreSummaries(count: number, year: number): string {
  return generateSummaries(count, { params: 12, metrics: 12 }, year)
    .map((s) => ({ ...s, id: s.id.replace(/^2026/, String(year)) }))
    .map((s) => JSON.stringify(s) + '\n')
    .join('');
}

function addRunDirs(state: string, lines: string): void {
  for (const line of lines.split('\n')) if (line) mkdirSync(join(state, 'runs', (JSON.parse(line) as RunSummary).id), { recursive: true });
}

const stamp = (file: string) => {
  const st = statSync(file);
  return `${st.ino}:${st.mtimeMs}:${st.size}`;
};

test('round trip: a read from the cache shows exactly what parsing the index shows, skipped lines included', async (t) => {
  const state = tempState(t);
  makeStore(state);
  const expected = await truth(state);
  assert.equal(existsSync(cacheOf(state)), false, 'a reader without a table sink writes no cache');

  const first = await read(state);
  assert.deepEqual(first.stats, { cached: 0, parsed: statSync(indexOf(state)).size });
  assert.deepEqual(dump(first.table), expected);
  const cache = readTableCache(cacheOf(state), indexOf(state));
  assert.ok(typeof cache !== 'string', cache as string);
  assert.equal(cache.covered, statSync(indexOf(state)).size);
  assert.deepEqual(cache.running.map((s) => s.id), ['20260101-045900-012b'], 'the running run is kept whole, for its writer');

  const warm = await read(state);
  assert.deepEqual(warm.stats, { cached: statSync(indexOf(state)).size, parsed: 0 }, 'nothing parsed');
  assert.deepEqual(dump(warm.table), expected);
  assert.equal(warm.table.size, 301);
  assert.ok(warm.warnings.some((w) => w.includes('skipped 1 unreadable line')), 'the torn line is still reported');
  assert.ok(statSync(cacheOf(state)).size < statSync(indexOf(state)).size / 2, 'smaller than the index');
});

test('a torn, corrupt, truncated or foreign cache is ignored and written anew, never trusted', async (t) => {
  const state = tempState(t);
  makeStore(state);
  const expected = await truth(state);
  await read(state);
  const good = readFileSync(cacheOf(state));
  const size = good.length;
  const mutations: [string, (bytes: Buffer) => Buffer][] = [
    ['empty', () => Buffer.alloc(0)],
    ['cut to 10 bytes', (b) => b.subarray(0, 10)],
    ['cut in the header', (b) => b.subarray(0, 100)],
    ['cut in half', (b) => b.subarray(0, size >> 1)],
    ['last byte gone', (b) => b.subarray(0, size - 1)],
    ['a byte more', (b) => Buffer.concat([b, Buffer.from([0])])],
    ['another magic', (b) => Buffer.concat([Buffer.from('FBRUNTB0'), b.subarray(8)])],
    ['zeros after the header (a power cut)', (b) => Buffer.concat([b.subarray(0, 400), Buffer.alloc(size - 400)])],
  ];
  for (const at of [9, 20, 40, 200, size >> 2, size >> 1, size - 9, size - 1]) {
    mutations.push([`bit flipped at ${at}`, (b) => {
      const copy = Buffer.from(b);
      copy[at] ^= 0x10;
      return copy;
    }]);
  }
  for (const [what, mutate] of mutations) {
    writeFileSync(cacheOf(state), mutate(good));
    assert.equal(typeof readTableCache(cacheOf(state), indexOf(state)), 'string', `${what}: refused`);
    const again = await read(state);
    assert.equal(again.stats.cached, 0, `${what}: not used`);
    assert.deepEqual(dump(again.table), expected, what);
    assert.ok(readFileSync(cacheOf(state)).equals(good), `${what}: written anew`);
  }
});

test('a cache of another index, or of one changed in place or cut, is not used', async (t) => {
  const state = tempState(t);
  makeStore(state);
  const index = indexOf(state);
  const cases: [string, () => void][] = [
    ['replaced by a copy of itself (a rewrite: another inode)', () => {
      copyFileSync(index, `${index}.copy`);
      renameSync(`${index}.copy`, index);
    }],
    ['a digit changed in place near its end, same length', () => patch(index, statSync(index).size - 300)],
    ['a digit changed in place in its middle, same length', () => patch(index, statSync(index).size >> 1)],
    ['changed in place, then appended to', () => {
      patch(index, statSync(index).size - 300);
      const more = moreSummaries(2, 2028);
      addRunDirs(state, more);
      appendFileSync(index, more);
    }],
    ['cut and appended to past its old length', () => {
      const text = readFileSync(index, 'utf8');
      const kept = text.slice(0, text.lastIndexOf('\n', text.length >> 1) + 1);
      const more = moreSummaries(200, 2029);
      addRunDirs(state, more);
      writeFileSync(index, kept + more); // in place: the same inode
    }],
  ];
  for (const [what, change] of cases) {
    await read(state); // a cache of the index as it is
    assert.equal((await read(state)).stats.parsed, 0);
    change();
    const expected = await truth(state);
    const after = await read(state);
    assert.equal(after.stats.cached, 0, `${what}: the cache is not used`);
    assert.deepEqual(dump(after.table), expected, what);
  }
});

/** Changes one digit of a number in the line around `near`, keeping the file's length and inode. */
function patch(file: string, near: number): void {
  const text = readFileSync(file, 'latin1');
  let at = near;
  while (!/[0-8]/.test(text[at]) || !/[0-9]/.test(text[at - 1])) at++;
  const fd = openSync(file, 'r+');
  writeSync(fd, String(Number(text[at]) + 1), at);
  closeSync(fd);
}

test('runs appended since the cache are parsed on top of it; a store that grows a little keeps its cache', async (t) => {
  const state = tempState(t);
  makeStore(state);
  await read(state);
  const written = stamp(cacheOf(state));
  const covered = statSync(indexOf(state)).size;

  const recorder = openRunStore(state, { fsync: false });
  for (let i = 0; i < 3; i++) {
    const rec = recorder.recorder();
    for (const e of fakeRun({ runId: `20270201-00000${i}-aaa${i}`, params: { lr: i, optimizer: 'adam' }, metrics: { evaluate: { auc: 0.9 } } })) rec(e);
  }
  const small = await read(state);
  assert.equal(small.stats.cached, covered);
  assert.equal(small.stats.parsed, statSync(indexOf(state)).size - covered);
  assert.deepEqual(dump(small.table), await truth(state));
  assert.equal(small.table.size, 304);
  assert.equal(stamp(cacheOf(state)), written, 'three runs do not rewrite the cache');

  const many = moreSummaries(120, 2030); // more than an eighth of what the cache covers, and than 64 KB
  addRunDirs(state, many);
  appendFileSync(indexOf(state), many);
  const big = await read(state);
  assert.equal(big.stats.cached, covered);
  assert.notEqual(stamp(cacheOf(state)), written, 'a store that grew by a good part gets a new cache');
  const next = await read(state);
  assert.deepEqual(next.stats, { cached: statSync(indexOf(state)).size, parsed: 0 });
  assert.deepEqual(dump(next.table), await truth(state));
});

test('a writer appending runs while readers read: every read is whole, the last equals the index', async (t) => {
  const state = tempState(t);
  makeStore(state);
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'runs-appender.ts'), state, '150', '20271201-000000'], { stdio: ['ignore', 'inherit', 'inherit'] });
  let done = false;
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ((done = true), ok(code))));
  // A long-lived reader (the panel, reloading) and fresh ones (new windows, writing and using caches).
  const panel = tableReader(state);
  let reads = 0;
  while (!done) {
    await panel.reader.read();
    const fresh = await read(state);
    reads++;
    for (const w of [...fresh.warnings, ...panel.warnings]) assert.match(w, /skipped 1 unreadable line/, 'no line is read torn');
  }
  assert.equal(await exited, 0);
  assert.ok(reads > 0);
  const expected = await truth(state);
  assert.equal(expected.rows.length, 451);
  await panel.reader.read();
  assert.deepEqual(dump(panel.table), expected, 'the long-lived reader');
  assert.deepEqual(dump((await read(state)).table), expected, 'a fresh reader, from a cache written while runs were appended');
});

test('a deleted run leaves a tombstone: readers drop it without re-reading the index, the cache stays', async (t) => {
  const state = tempState(t);
  makeStore(state);
  const store = openRunStore(state, { warn: () => undefined });
  const panel = tableReader(state);
  await panel.reader.read();
  const written = stamp(cacheOf(state));
  const victim = '20260101-000500-0005';
  assert.notEqual(panel.table.rowOf(victim), undefined);
  const before = statSync(indexOf(state));

  assert.equal(await store.remove(victim), true);
  assert.equal(statSync(indexOf(state)).ino, before.ino, 'the index is appended to, not rewritten');
  const stats = await panel.reader.read();
  assert.equal(stats.cached, 0);
  assert.ok(stats.parsed < 100, `only the tombstone is parsed (${stats.parsed} bytes)`);
  assert.equal(panel.table.rowOf(victim), undefined);
  assert.equal(stamp(cacheOf(state)), written);

  const fresh = await read(state);
  assert.ok(fresh.stats.cached > 0 && fresh.stats.parsed < 100, 'a new reader: the cache, then the tombstone');
  assert.equal(fresh.table.rowOf(victim), undefined);
  assert.deepEqual(dump(fresh.table), await truth(state));
  assert.equal((await store.list()).some((s) => s.id === victim), false, 'list() too');
});

test('deferCheck: a read from the cache leaves the run folders to the next read, which finds what they say', async (t) => {
  const state = tempState(t);
  makeStore(state);
  const first = tableReader(state);
  assert.equal((await first.reader.read({ deferCheck: true })).unchecked, undefined, 'no cache yet: parsed and checked at once');
  const gone = '20260101-000500-0005';
  rmSync(join(state, 'runs', gone), { recursive: true });
  const panel = tableReader(state);
  const quick = await panel.reader.read({ deferCheck: true });
  assert.equal(quick.unchecked, true);
  assert.ok(quick.cached > 0);
  assert.notEqual(panel.table.rowOf(gone), undefined, 'the cache\'s rows, unchecked');
  const next = await panel.reader.read({ deferCheck: true });
  assert.equal(next.unchecked, undefined);
  assert.equal(panel.table.rowOf(gone), undefined);
  assert.deepEqual(dump(panel.table), await truth(state));
});
