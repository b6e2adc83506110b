import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AmbiguousRunIdError, openRunStore, RunInProgressError, type RunStore } from '../../core/runs/store';
import type { RunRecord } from '../../core/runs/types';
import { fakeRun } from './fake-run';

function tempState(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-runs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, '.flowbench');
}

function quiet() {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => warnings.push(m) };
}

test('records a run from its events: steps, merged metrics, histories, artifacts', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state);
  const runId = store.newRunId();
  const rec = store.recorder();
  for (const e of fakeRun({
    runId,
    params: { lr: 0.2, epochs: 3 },
    metrics: { train: { loss: 0.3, acc: 0.8 }, evaluate: { acc: 0.75, auc: 0.9 } },
    histories: { train: { loss: [0.9, 0.5, 0.3] } },
  })) rec(e);

  const record = await store.get(runId);
  assert.ok(record);
  assert.equal(record.status, 'succeeded');
  assert.deepEqual(record.params, { lr: 0.2, epochs: 3 });
  assert.deepEqual(Object.keys(record.steps), ['prepare', 'train', 'evaluate']);
  assert.equal(record.steps.train.state, 'succeeded');
  assert.equal(record.steps.train.cached, false);
  assert.equal(record.steps.train.fingerprint, 'fp-train');
  // `acc` is reported by two steps, so both keep their step prefix; unique names stay plain.
  assert.deepEqual(record.metrics, { 'evaluate.acc': 0.75, auc: 0.9, loss: 0.3, 'train.acc': 0.8 });
  assert.deepEqual(Object.keys(record.metrics), ['evaluate.acc', 'train.acc', 'auc', 'loss'], 'the last step leads');
  assert.deepEqual(record.histories.loss.map((p) => [p.index, p.value]), [[0, 0.9], [1, 0.5], [2, 0.3]]);
  assert.equal(record.artifacts.length, 3);
  assert.equal(record.artifacts[0].sha256.length, 64);
  assert.equal(record.code.commit, 'abc123');
  assert.equal(typeof record.durationMs, 'number');
});

test('a failed step fails the run and skips what follows', async (t) => {
  const store = openRunStore(tempState(t));
  const runId = store.newRunId();
  const rec = store.recorder();
  for (const e of fakeRun({ runId, failStep: 'train' })) rec(e);
  const record = await store.get(runId);
  assert.equal(record?.status, 'failed');
  assert.equal(record?.steps.train.message, 'exit code 1');
  assert.equal(record?.steps.evaluate.state, 'skipped');
  const [summary] = await store.list();
  assert.deepEqual(summary.counts, { ran: 1, cached: 0, restored: 0, failed: 1, skipped: 1, cancelled: 0 });
});

/** Polls the store until the run's record on disk passes `check` (step writes are coalesced for up to 50 ms). */
async function recordOnDisk(store: RunStore, runId: string, check: (r: RunRecord) => boolean, timeoutMs = 2000): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await store.get(runId);
    if (record && check(record)) return record;
    if (Date.now() > deadline) throw new Error(`the record of ${runId} never reached the disk as expected: ${JSON.stringify(record)}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

test('the record reaches the disk shortly after step-end, before the run ends, histories included', async (t) => {
  const store = openRunStore(tempState(t));
  const runId = store.newRunId();
  const rec = store.recorder();
  const events = fakeRun({ runId, steps: ['train'], histories: { train: { loss: Array.from({ length: 2000 }, (_, i) => 1 / (i + 1)) } } });
  for (const e of events.slice(0, -1)) rec(e); // everything but run-end
  const record = await recordOnDisk(store, runId, (r) => r.steps.train?.state === 'succeeded');
  assert.equal(record?.status, 'running');
  assert.equal(record?.steps.train.state, 'succeeded');
  assert.equal(record?.histories.loss.length, 2000);
});

test('list is newest first, filters by flow and status, and get accepts a unique prefix', async (t) => {
  const store = openRunStore(tempState(t), quiet());
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const runId = `20261124-01000${i}-abc${i}`;
    ids.push(runId);
    const rec = store.recorder();
    for (const e of fakeRun({ runId, flow: i % 2 ? 'odd' : 'even', start: Date.UTC(2026, 10, 24, 1, 0, i), failStep: i === 4 ? 'train' : undefined })) rec(e);
  }
  assert.deepEqual((await store.list()).map((r) => r.id), [...ids].reverse());
  assert.deepEqual((await store.list({ flow: 'odd' })).map((r) => r.id), [ids[3], ids[1]]);
  assert.deepEqual((await store.list({ status: 'failed' })).map((r) => r.id), [ids[4]]);
  assert.deepEqual((await store.list({ limit: 2 })).map((r) => r.id), [ids[4], ids[3]]);
  assert.equal((await store.get('20261124-010002'))?.id, ids[2]);
  await assert.rejects(store.get('20261124-0100'), AmbiguousRunIdError);
  assert.equal(await store.get('20991231'), undefined);
});

test('new run ids are unique, sortable by time and reserved on disk', (t) => {
  const store = openRunStore(tempState(t));
  const ids = Array.from({ length: 2000 }, () => store.newRunId());
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
  assert.ok(ids[0].slice(0, 15) <= ids[ids.length - 1].slice(0, 15));
});

test('a missing or corrupt index is rebuilt from the run records', async (t) => {
  const state = tempState(t);
  const { warnings, warn } = quiet();
  const store = openRunStore(state, { warn });
  for (let i = 0; i < 3; i++) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId: `20261124-01000${i}-aaa${i}`, start: Date.UTC(2026, 10, 24, 1, 0, i), metrics: { train: { acc: i } } })) rec(e);
  }
  const before = await store.list();
  const index = join(state, 'runs', 'index.jsonl');

  unlinkSync(index);
  assert.deepEqual(await store.list(), before);

  writeFileSync(index, readFileSync(index, 'utf8').replace(/\n[^\n]*aaa1[^\n]*\n/, '\n{"id":"20261124-010001-aaa1","sta\n'));
  assert.deepEqual(await store.list(), before);
  assert.ok(warnings.some((w) => w.includes('unreadable line')));
  // The rebuilt index is clean: reading it again warns no more.
  warnings.length = 0;
  assert.deepEqual(await store.list(), before);
  assert.deepEqual(warnings, []);
});

test('corrupt records and torn history lines are skipped with a warning, never a crash', async (t) => {
  const state = tempState(t);
  const { warnings, warn } = quiet();
  const store = openRunStore(state, { warn });
  for (const runId of ['20261124-010000-aaaa', '20261124-010001-bbbb']) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId, histories: { train: { loss: [3, 2, 1] } } })) rec(e);
  }
  unlinkSync(join(state, 'runs', 'index.jsonl'));
  writeFileSync(join(state, 'runs', '20261124-010000-aaaa', 'record.json'), '{"id":"20261124-010000-aaaa","sta');
  appendFileSync(join(state, 'runs', '20261124-010001-bbbb', 'metrics.jsonl'), '{"step":"train","name":"loss","val');

  assert.deepEqual((await store.list()).map((r) => r.id), ['20261124-010001-bbbb']);
  assert.equal(await store.get('20261124-010000-aaaa'), undefined);
  assert.ok(warnings.some((w) => w.includes('20261124-010000-aaaa')));
  assert.deepEqual((await store.get('20261124-010001-bbbb'))?.histories.loss.map((p) => p.value), [3, 2, 1]);
});

const writerScript = resolve(__dirname, 'record-writer.ts');

function startWriter(state: string, runId: string, mode: 'stall' | 'churn') {
  return spawn(process.execPath, ['--import', 'tsx', writerScript, state, runId, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function waitForLine(child: ReturnType<typeof startWriter>): Promise<void> {
  return new Promise((ok, fail) => {
    child.stdout!.once('data', () => ok());
    child.once('exit', (code) => fail(new Error(`writer exited early (${code})`)));
  });
}

test('a run whose writer was SIGKILLed is marked interrupted; a live one is not', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state);
  const deadId = '20261124-010000-dead';
  const child = startWriter(state, deadId, 'stall');
  await waitForLine(child);
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGKILL');
  await exited;

  const liveId = '20261124-010001-11fe';
  const rec = store.recorder();
  const live = fakeRun({ runId: liveId });
  rec(live[0]);
  rec(live[1]); // step-start, still running in this (alive) process
  await recordOnDisk(store, liveId, (r) => Object.values(r.steps).some((step) => step.state === 'running'));

  assert.deepEqual(await store.markInterrupted(), [deadId]);
  const dead = await store.get(deadId);
  assert.equal(dead?.status, 'interrupted');
  assert.equal(dead?.steps.train.state, 'interrupted');
  assert.equal(dead?.steps.prepare.state, 'succeeded');
  assert.equal(typeof dead?.end, 'number');
  const statuses = Object.fromEntries((await store.list()).map((r) => [r.id, r.status]));
  assert.deepEqual(statuses, { [deadId]: 'interrupted', [liveId]: 'running' });
  assert.deepEqual(await store.markInterrupted(), []);
});

test('a writer killed at random moments never leaves a torn record', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state, quiet());
  for (let round = 0; round < 6; round++) {
    const runId = `20261124-01000${round}-c0${round}0`;
    const child = startWriter(state, runId, 'churn');
    await waitForLine(child);
    await new Promise((ok) => setTimeout(ok, 20 + round * 37));
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGKILL');
    await exited;
    const record = await store.get(runId);
    assert.ok(record, `record of round ${round} is readable`);
    assert.ok(Object.keys(record.steps).length >= 1);
  }
  assert.equal((await store.list()).length, 6);
  // No temp files are mistaken for runs, and nothing under runs/ fails to parse.
  const check = spawnSync('sh', ['-c', `for f in ${join(state, 'runs')}/*/record.json; do node -e "JSON.parse(require('fs').readFileSync('$f','utf8'))" || exit 1; done`]);
  assert.equal(check.status, 0, String(check.stderr));
});

test('a long-lived store sees runs recorded by another writer, across index rewrites', async (t) => {
  const state = tempState(t);
  const reader = openRunStore(state, quiet());
  const writer = openRunStore(state, quiet());
  const record = (runId: string, second: number) => {
    const rec = writer.recorder();
    for (const e of fakeRun({ runId, start: Date.UTC(2026, 10, 24, 1, 0, second) })) rec(e);
  };
  record('20261124-010000-0000', 0);
  assert.deepEqual((await reader.list()).map((r) => r.id), ['20261124-010000-0000']);
  record('20261124-010001-0001', 1);
  assert.deepEqual((await reader.list()).map((r) => r.id), ['20261124-010001-0001', '20261124-010000-0000']);
  // Many superseded lines make the writer compact the index into a new file; the reader follows.
  for (let i = 2; i < 160; i++) record(`20261124-0100${String(i % 60).padStart(2, '0')}-${i.toString(16).padStart(4, '0')}`, i);
  assert.equal((await writer.list()).length, 160);
  record('20261124-015959-ffff', 3599);
  const seen = await reader.list();
  assert.equal(seen.length, 161);
  assert.equal(seen[0].id, '20261124-015959-ffff');
  assert.ok(seen.every((r) => r.status === 'succeeded'));
});

test('get only ever reads run directories', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state, quiet());
  const rec = store.recorder();
  for (const e of fakeRun({ runId: '20261124-010000-abcd' })) rec(e);
  assert.equal(await store.get('index.jsonl'), undefined);
  assert.equal(await store.get('../runs/20261124-010000-abcd'), undefined);
  assert.equal((await store.get('2026'))?.id, '20261124-010000-abcd');
});

test('a finished run whose last index line was lost is listed from its record', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state, quiet());
  const runId = '20261124-010000-1057';
  const rec = store.recorder();
  for (const e of fakeRun({ runId })) rec(e);
  // Keep only the run-start line, as if the final append had gone to a file a compaction replaced.
  const index = join(state, 'runs', 'index.jsonl');
  writeFileSync(index, readFileSync(index, 'utf8').split('\n').find((l) => l.includes('"running"'))! + '\n');
  const fresh = openRunStore(state, quiet());
  assert.equal((await fresh.list())[0].status, 'succeeded');
  assert.deepEqual(await fresh.markInterrupted(), []);
});

test('stars persist across stores and index rebuilds; unknown runs cannot be starred', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state, quiet());
  const ids = ['20261124-010000-aa01', '20261124-010001-aa02', '20261124-010002-aa03'];
  for (const runId of ids) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId })) rec(e);
  }
  assert.deepEqual(await store.starred(), new Set());
  assert.equal(await store.star(ids[0], true), true);
  assert.equal(await store.star(ids[2], true), true);
  assert.equal(await store.star(ids[2], true), true, 'starring twice is fine');
  assert.equal(await store.star(ids[2], false), true);
  assert.equal(await store.star(ids[1], false), true, 'unstarring an unstarred run is fine');
  assert.equal(await store.star('20261124-010009-0000', true), false);
  assert.equal(await store.star('../escape', true), false);

  unlinkSync(join(state, 'runs', 'index.jsonl'));
  const fresh = openRunStore(state, quiet());
  assert.equal((await fresh.list()).length, 3);
  assert.deepEqual(await fresh.starred(), new Set([ids[0]]));
  // Another process's star is seen by a long-lived store.
  await fresh.star(ids[1], true);
  assert.deepEqual(await store.starred(), new Set([ids[0], ids[1]]));
  // A torn last line (a writer killed mid-append) loses at most that line.
  appendFileSync(join(state, 'runs', 'stars.jsonl'), '{"k":"2026112');
  assert.deepEqual(await openRunStore(state, quiet()).starred(), new Set([ids[0], ids[1]]));
  await store.star(ids[2], true);
  assert.deepEqual(await openRunStore(state, quiet()).starred(), new Set(ids));
});

test('remove deletes record, histories, logs and star; cached outputs and other runs stay', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state, quiet());
  const gone = '20261124-010000-de1e';
  const kept = '20261124-010001-cee9';
  for (const runId of [gone, kept]) {
    const rec = store.recorder();
    for (const e of fakeRun({ runId, histories: { train: { loss: [3, 2, 1] } } })) rec(e);
  }
  const logs = join(state, 'logs', gone);
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'train.log'), 'hello\n');
  const cached = join(state, 'cache', 'objects', 'ab', 'abcdef');
  mkdirSync(join(cached, '..'), { recursive: true });
  writeFileSync(cached, 'model bytes');
  await store.star(gone, true);
  await store.star(kept, true);
  const reader = openRunStore(state, quiet());
  assert.equal((await reader.list()).length, 2);

  assert.equal(await store.remove(gone), true);
  assert.equal(await store.remove(gone), false);
  assert.equal(await store.remove('2026'), false, 'never by prefix');
  assert.deepEqual((await store.list()).map((r) => r.id), [kept]);
  assert.deepEqual((await reader.list()).map((r) => r.id), [kept], 'a long-lived store follows');
  assert.equal(await store.get(gone), undefined);
  assert.equal(existsSync(join(state, 'runs', gone)), false);
  assert.equal(existsSync(logs), false);
  assert.equal(readFileSync(cached, 'utf8'), 'model bytes');
  assert.deepEqual(await store.starred(), new Set([kept]));
  const last = readFileSync(join(state, 'runs', 'index.jsonl'), 'utf8').trim().split('\n').filter((l) => l.includes(gone)).at(-1);
  assert.deepEqual(JSON.parse(last!), { id: gone, removed: true }, 'a tombstone, not a rewrite of the index (until it is compacted)');
  assert.deepEqual(readdirSync(join(state, 'runs')).sort(), [kept, 'index.jsonl', 'stars.jsonl'].sort(), 'nothing left behind');
  assert.deepEqual((await store.get(kept))?.histories.loss.map((p) => p.value), [3, 2, 1]);
});

test('remove refuses a run whose writer is alive, and takes it once it ended', async (t) => {
  const state = tempState(t);
  const store = openRunStore(state, quiet());
  const runId = '20261124-010000-b05e';
  const rec = store.recorder();
  const events = fakeRun({ runId });
  rec(events[0]);
  rec(events[1]);
  await assert.rejects(store.remove(runId), (err: Error) => err instanceof RunInProgressError && /still running; stop it first/.test(err.message));
  assert.equal((await store.list()).length, 1);
  for (const e of events.slice(2)) rec(e);
  assert.equal(await store.remove(runId), true);
  assert.deepEqual(await store.list(), []);
});

test('a summary reader puts every run once, then only what changed, and follows removals, rewrites and a lost index', async (t) => {
  const state = tempState(t);
  const writer = openRunStore(state, quiet());
  const record = (runId: string, second: number, auc = 0.5) => {
    const rec = writer.recorder();
    for (const e of fakeRun({ runId, start: Date.UTC(2026, 10, 24, 1, 0, second), metrics: { evaluate: { auc } } })) rec(e);
  };
  for (let i = 0; i < 3; i++) record(`20261124-01000${i}-000${i}`, i);
  const held = new Map<string, string>();
  const log: string[] = [];
  const reader = openRunStore(state, quiet()).summaryReader({
    put: (s) => void (held.set(s.id, s.status), log.push(`put ${s.id} ${s.status}`)),
    drop: (id) => void (held.delete(id), log.push(`drop ${id}`)),
  });
  await reader.read();
  assert.deepEqual([...held.entries()].sort(), (await writer.list()).map((s) => [s.id, s.status]).sort());
  log.length = 0;
  await reader.read();
  assert.equal(log.length, 0, 'nothing was written since');

  record('20261124-010003-0003', 3);
  await reader.read();
  assert.deepEqual(log, ['put 20261124-010003-0003 running', 'put 20261124-010003-0003 succeeded'], 'only the new run, in the order its lines were appended');

  log.length = 0;
  await writer.remove('20261124-010001-0001'); // rewrites the index: the reader reads it all again
  await reader.read();
  assert.ok(log.includes('drop 20261124-010001-0001'));
  assert.deepEqual([...held.keys()].sort(), ['20261124-010000-0000', '20261124-010002-0002', '20261124-010003-0003']);

  // A lost index: the runs come back from their records, none is dropped for good.
  unlinkSync(join(state, 'runs', 'index.jsonl'));
  await reader.read();
  assert.deepEqual([...held.keys()].sort(), ['20261124-010000-0000', '20261124-010002-0002', '20261124-010003-0003']);
  assert.ok(existsSync(join(state, 'runs', 'index.jsonl')), 'what was rebuilt is appended to the index again');

  // A torn line and a run left "running" in the index whose record ended.
  const index = join(state, 'runs', 'index.jsonl');
  appendFileSync(index, '{"id":"2026112\n');
  record('20261124-010004-0004', 4, 0.9);
  const text = readFileSync(index, 'utf8').split('\n');
  writeFileSync(index, text.filter((l) => !(l.includes('010004-0004') && l.includes('"succeeded"'))).join('\n'));
  const warnings: string[] = [];
  const fresh = new Map<string, string>();
  await openRunStore(state, { warn: (m) => warnings.push(m) }).summaryReader({ put: (s) => void fresh.set(s.id, s.status), drop: (id) => void fresh.delete(id) }).read();
  assert.equal(fresh.get('20261124-010004-0004'), 'succeeded', 'the record knows better than the index');
  assert.equal(fresh.size, 4);
  assert.ok(warnings.some((w) => w.includes('unreadable line')));
});
