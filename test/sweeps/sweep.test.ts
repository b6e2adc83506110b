// flowbench sweep and apply as real processes on a small flow with real DuckDB SQL steps upstream:
// isolation (working tree untouched until apply), shared work once, SIGKILL then --resume.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureBuilt, flowbench, readAllRecords, startFlowbench, waitFor } from '../cli/harness';
import { copyProject, miniProject } from './fixture';

before(() => ensureBuilt());

interface Rec {
  id: string;
  status: string;
  start: number;
  params: Record<string, unknown>;
  steps: Record<string, { state: string }>;
  artifacts: { path: string; sha256: string }[];
  sweep?: { name: string; id: string; variant: number; of: number };
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file of the working tree (not .flowbench/) with its hash. */
function tree(dir: string, at = dir, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(at)) {
    const path = join(at, name);
    if (name === '.flowbench') continue;
    if (statSync(path).isDirectory()) tree(dir, path, out);
    else out.set(relative(dir, path), sha(path));
  }
  return out;
}

const records = (dir: string) => [...readAllRecords(dir).values()] as unknown as Rec[];
const modelHash = (r: Rec) => r.artifacts.find((a) => a.path === 'models/model.bin')?.sha256;
const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });

test('8 variants with -w 2: 8 records, SQL steps ran once, models differ by params and match solo runs, tree untouched until apply', async (t) => {
  const dir = miniProject(t);
  // Solo runs of two of the variants' params, in a copy of the project with a cache of its own.
  const solo = copyProject(t, dir);
  const soloHash = (lr: number, epochs: number) => {
    const res = flowbench(solo, ['run', '--set', `learning_rate=${lr}`, '--set', `epochs=${epochs}`]);
    assert.equal(res.code, 0, res.stderr);
    return sha(join(solo, 'models/model.bin'));
  };
  const solos = new Map([['0.001/1', soloHash(0.001, 1)], ['0.003/4', soloHash(0.003, 4)]]);
  const before = tree(dir);

  const res = flowbench(dir, ['sweep', 'grid8', '-w', '2', '--events'], 120_000);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /8\/8 done, 0 running, 0 failed/);
  const events = jsonLines(res.stdout);
  const progress = events.filter((e) => e.type === 'sweep-progress');
  assert.equal(progress.at(-1)?.done, 8);
  assert.ok(progress.every((e) => (e.running as number) <= 2), 'never more variants at once than workers');

  const runs = records(dir);
  assert.equal(runs.length, 8);
  assert.deepEqual(runs.map((r) => r.sweep!.variant).sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(runs.every((r) => r.status === 'succeeded' && r.sweep!.name === 'grid8' && r.sweep!.of === 8));
  for (const step of ['staging', 'features']) {
    assert.equal(runs.filter((r) => r.steps[step].state === 'succeeded').length, 1, `${step} ran once`);
    assert.equal(runs.filter((r) => r.steps[step].state === 'restored').length, 7, `${step} restored by the others`);
  }
  assert.equal(new Set(runs.map(modelHash)).size, 8, 'every variant has its own model');
  for (const [key, hash] of solos) {
    const [lr, epochs] = key.split('/').map(Number);
    const variant = runs.find((r) => r.params.learning_rate === lr && r.params.epochs === epochs)!;
    assert.equal(modelHash(variant), hash, `variant ${key} matches its solo run`);
  }
  assert.deepEqual(tree(dir), before, 'the working tree is untouched by the sweep');
  // The source and the scripts were hashed under their real paths, once, not once per variant's workspace.
  const hashed = Object.keys(JSON.parse(readFileSync(join(dir, '.flowbench/statcache.json'), 'utf8')).entries as Record<string, unknown>);
  assert.ok(hashed.some((p) => p.endsWith('data/points.csv')));
  assert.deepEqual(hashed.filter((p) => p.includes('/sweeps/') && /points\.csv|train\.mjs$/.test(p)), []);
  assert.ok(!existsSync(join(dir, 'models')));

  const listed = JSON.parse(flowbench(dir, ['runs', '--filter', 'sweep = grid8', '--json']).stdout) as unknown[];
  assert.equal(listed.length, 8);

  const chosen = runs.find((r) => r.params.learning_rate === 0.003 && r.params.epochs === 2)!;
  // A run id prefix is enough, as long as no other run shares it (runs of the same second differ after it).
  let prefix = 17;
  while (runs.some((r) => r !== chosen && r.id.startsWith(chosen.id.slice(0, prefix)))) prefix++;
  const applied = flowbench(dir, ['apply', chosen.id.slice(0, prefix)]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /models\/model\.bin/);
  assert.equal(sha(join(dir, 'models/model.bin')), modelHash(chosen));
  assert.equal(JSON.parse(readFileSync(join(dir, 'metrics/train.json'), 'utf8')).loss, 1 / (1 + 0.003 * 2 * 100));
  const after = tree(dir);
  for (const [file, hash] of before) assert.equal(after.get(file), hash, `${file} unchanged by apply`);
});

test('kill -9 of the sweep half-way, then --resume: every variant recorded exactly once, finished ones not repeated', async (t) => {
  const dir = miniProject(t);
  const first = startFlowbench(dir, ['sweep', 'grid8', '-w', '2', '--set', 'delay_ms=300', '--events']);
  let out = '';
  first.child.stdout!.on('data', (d) => (out += d));
  const finished = () => jsonLines(out.slice(0, out.lastIndexOf('\n') + 1)).filter((e) => e.type === 'variant-end' && e.status === 'succeeded');
  await waitFor('three variants to finish', () => finished().length >= 3, 90_000);
  first.child.kill('SIGKILL');
  await first.done;
  const before = new Map(records(dir).filter((r) => r.status === 'succeeded').map((r) => [r.id, r.start]));
  assert.ok(before.size >= 3 && before.size < 8, `killed half-way (${before.size} done)`);

  const res = flowbench(dir, ['sweep', '--resume', '-w', '2'], 120_000);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /Resuming grid8/);
  const runs = records(dir);
  assert.equal(runs.length, 8, `one record per variant: ${runs.map((r) => `${r.sweep?.variant}:${r.status}`).join(' ')}`);
  assert.deepEqual(runs.map((r) => r.sweep!.variant).sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(runs.every((r) => r.status === 'succeeded'));
  for (const [id, start] of before) assert.equal(runs.find((r) => r.id === id)?.start, start, `finished run ${id} was not run again`);
  assert.equal(new Set(runs.map(modelHash)).size, 8);

  const again = flowbench(dir, ['sweep', '--resume']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no unfinished sweep/);
});

test('ad hoc sweep from the command line; typos get the closest name', async (t) => {
  const dir = miniProject(t);
  const res = flowbench(dir, ['sweep', '--grid', 'learning_rate=0.001,0.003', '--random', 'epochs=1,2,3', '--count', '2', '--seed', '1', '-w', '2', '--name', 'quick'], 120_000);
  assert.equal(res.code, 0, res.stderr);
  const runs = records(dir);
  assert.equal(runs.length, 4);
  assert.ok(runs.every((r) => r.sweep!.name === 'quick' && [1, 2, 3].includes(r.params.epochs as number)));
  assert.deepEqual([...new Set(runs.map((r) => r.params.learning_rate))].sort(), [0.001, 0.003]);

  const typo = flowbench(dir, ['sweep', '--grid', 'learnin_rate=0.1']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown param 'learnin_rate': did you mean 'learning_rate'\?/);
  const unknown = flowbench(dir, ['sweep', 'grid9']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /FB094 unknown sweep 'grid9': did you mean 'grid8'\?/);
  const noCount = flowbench(dir, ['sweep', '--random', 'l2=1e-6..1e-3:log']);
  assert.equal(noCount.code, 2);
  assert.match(noCount.stderr, /unknown param 'l2'/);
  const badRange = flowbench(dir, ['sweep', '--random', 'learning_rate=0.1..0.01', '--count', '2']);
  assert.equal(badRange.code, 2);
  assert.match(badRange.stderr, /low below high/);
});

test('while a sweep holds the folder, a run waits (or exits 75 with --no-wait), and apply still works', async (t) => {
  const dir = miniProject(t);
  const sweep = startFlowbench(dir, ['sweep', 'grid8', '-w', '1', '--set', 'delay_ms=700', '--events']);
  let out = '';
  sweep.child.stdout!.on('data', (d) => (out += d));
  const ends = () => jsonLines(out.slice(0, out.lastIndexOf('\n') + 1)).filter((e) => e.type === 'variant-end');
  await waitFor('a variant to finish', () => ends().length >= 1, 90_000);

  const run = flowbench(dir, ['run', '--no-wait']);
  assert.equal(run.code, 75, run.stderr);
  assert.match(run.stderr, /flowbench: sweep \d{8}-\d{6}-[0-9a-f]+, pid \d+ is using .*not waiting for it/);
  const applied = flowbench(dir, ['apply', String(ends()[0]!.runId)]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.ok(existsSync(join(dir, 'models/model.bin')));

  sweep.child.kill('SIGINT');
  const res = await sweep.done;
  assert.equal(res.code, 130, res.stderr);
  assert.match(res.stdout, /"type":"sweep-end"[^\n]*"status":"cancelled"/);
});
