import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { flowStatus } from '../../core/engine/status';
import { outcomes, workspace } from './workspace';

// `runs.log` lies outside every step's outs: a line in it proves a command really ran.
const FLOW = `flow: caching
params: { lr: 0.1, epochs: 3 }
steps:
  prepare:
    run: echo prepare >> runs.log && cat data/raw.txt > prepared.txt
    deps: [data/raw.txt]
    outs: [prepared.txt]
  train:
    run: echo train >> runs.log && mkdir -p models && echo "lr=\${params.lr}" > models/model.txt && cat prepared.txt >> models/model.txt
    deps: [prepared.txt]
    outs: [models]
  report:
    run: echo report >> runs.log && echo "epochs \${params.epochs}" > report.txt
    outs: [report.txt]
`;

function ranCommands(ws: { read(rel: string): string }): string[] {
  return ws.read('runs.log').trim().split('\n');
}

test('a second run is all cached and runs nothing', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'rows\n' });
  t.after(ws.cleanup);
  const first = await ws.run();
  assert.equal(first.result.status, 'succeeded', JSON.stringify([...first.result.steps]));
  assert.deepEqual(outcomes(first.result), { prepare: 'succeeded', train: 'succeeded', report: 'succeeded' });
  const second = await ws.run();
  assert.deepEqual(outcomes(second.result), { prepare: 'cached', train: 'cached', report: 'cached' });
  assert.equal(ranCommands(ws).length, 3);
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual([...status.steps.values()].map((s) => s.state), ['up-to-date', 'up-to-date', 'up-to-date']);
});

test('a param change re-runs only the steps that use it; reverting restores from the cache without running', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'rows\n' });
  t.after(ws.cleanup);
  await ws.run();
  const original = ws.read('models/model.txt');

  const status = await flowStatus(ws.flowFile, { overrides: { lr: 0.2 } });
  const train = status.steps.get('train')!;
  assert.equal(train.state, 'stale');
  assert.deepEqual(train.reasons, ['params.lr 0.1 → 0.2']);
  assert.equal(status.steps.get('report')!.state, 'up-to-date');

  const changed = await ws.run({ overrides: { lr: 0.2 } });
  assert.deepEqual(outcomes(changed.result), { prepare: 'cached', train: 'succeeded', report: 'cached' });
  assert.match(ws.read('models/model.txt'), /lr=0.2/);
  const start = changed.events.find((e) => e.type === 'step-start' && e.step === 'train');
  assert.deepEqual(start && start.type === 'step-start' && start.reasons, ['params.lr 0.1 → 0.2']);

  const before = ranCommands(ws).length;
  const reverted = await ws.run();
  assert.deepEqual(outcomes(reverted.result), { prepare: 'cached', train: 'restored', report: 'cached' });
  assert.equal(ranCommands(ws).length, before, 'restoring must not run the command');
  assert.equal(ws.read('models/model.txt'), original);
  const after = await flowStatus(ws.flowFile);
  assert.equal(after.steps.get('train')!.state, 'up-to-date');
});

test('a changed dep is detected through the stat cache and explained', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'rows\n' });
  t.after(ws.cleanup);
  await ws.run();
  assert.ok(ws.exists('.flowbench/statcache.json'));
  ws.write('data/raw.txt', 'more rows\n');
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual(status.steps.get('prepare')!.reasons, ['deps: data/raw.txt changed']);
  assert.equal(status.steps.get('train')!.state, 'stale');
  assert.deepEqual(status.steps.get('train')!.reasons, ['upstream prepare is stale']);
  const { result } = await ws.run();
  assert.deepEqual(outcomes(result), { prepare: 'succeeded', train: 'succeeded', report: 'cached' });
  assert.match(ws.read('models/model.txt'), /more rows/);
});

test('an edit that keeps size and mtime is still noticed (the stat cache compares ctime too)', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'aaaa\n' });
  t.after(ws.cleanup);
  await ws.run();
  const file = path.join(ws.dir, 'data/raw.txt');
  const st = fs.statSync(file);
  // Same size, same mtime: only ctime betrays the edit, and the cache must notice it.
  fs.writeFileSync(file, 'bbbb\n');
  fs.utimesSync(file, st.atime, st.mtime);
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual(status.steps.get('prepare')!.reasons, ['deps: data/raw.txt changed']);
});

test('missing or edited outs make a step stale and are restored from the cache', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'rows\n' });
  t.after(ws.cleanup);
  await ws.run();
  fs.rmSync(path.join(ws.dir, 'report.txt'));
  ws.write('models/model.txt', 'edited by hand\n');
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual(status.steps.get('report')!.reasons, ['outs: report.txt missing']);
  assert.deepEqual(status.steps.get('train')!.reasons, ['outs: models modified']);
  const before = ranCommands(ws).length;
  const { result } = await ws.run();
  assert.deepEqual(outcomes(result), { prepare: 'cached', train: 'restored', report: 'restored' });
  assert.equal(ranCommands(ws).length, before);
  assert.match(ws.read('models/model.txt'), /lr=0.1/);
  // The restored file is a copy: editing it must not reach the cached object.
  ws.write('models/model.txt', 'edited again\n');
  fs.rmSync(path.join(ws.dir, 'models'), { recursive: true });
  await ws.run();
  assert.match(ws.read('models/model.txt'), /lr=0.1/);
});

test('command edits and never-run steps are explained', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'rows\n' });
  t.after(ws.cleanup);
  const fresh = await flowStatus(ws.flowFile);
  assert.deepEqual(fresh.steps.get('prepare'), { step: 'prepare', state: 'never-run', reasons: ['never run'], fingerprint: fresh.steps.get('prepare')!.fingerprint });
  await ws.run();
  ws.write('test.flow.yaml', FLOW.replace('echo "epochs', 'echo "n_epochs'));
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual(status.steps.get('report')!.reasons, ['command changed']);
  assert.ok(status.steps.get('report')!.last?.runId);
});

test('force runs every selected step again', async (t) => {
  const ws = workspace(FLOW, { 'data/raw.txt': 'rows\n' });
  t.after(ws.cleanup);
  await ws.run();
  const { result, events } = await ws.run({ force: true, targets: ['report'] });
  assert.deepEqual(outcomes(result), { report: 'succeeded' });
  const start = events.find((e) => e.type === 'step-start');
  assert.deepEqual(start?.type === 'step-start' && start.reasons, ['forced']);
});

test('steps with errors, or caught in a cycle, are invalid; the others still get a status', async (t) => {
  const ws = workspace(`flow: broken
steps:
  fine: { run: echo ok }
  typo: { run: echo x, needs: [nowhere] }
  a: { run: echo a, needs: [b] }
  b: { run: echo b, needs: [a] }
`);
  t.after(ws.cleanup);
  const status = await flowStatus(ws.flowFile);
  assert.equal(status.steps.get('fine')!.state, 'never-run');
  const typo = status.steps.get('typo')!;
  assert.equal(typo.state, 'invalid');
  assert.match(typo.reasons.join('\n'), /^test\.flow\.yaml:4: .*nowhere/m);
  assert.equal(status.steps.get('a')!.state, 'invalid');
  assert.ok(status.steps.get('b')!.reasons.some((r) => /cycle/.test(r)));
});

test('an env change is explained by name, and env values are not written to the state records', async (t) => {
  const flow = (token: string) => `flow: env
steps:
  call:
    run: echo called >> runs.log
    env: { API_TOKEN: "${token}" }
`;
  const ws = workspace(flow('s3cr3t-one'));
  t.after(ws.cleanup);
  await ws.run();
  const stateDir = path.join(ws.dir, '.flowbench/state');
  const stateText = fs.readdirSync(stateDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
  assert.ok(stateText.includes('API_TOKEN'));
  assert.ok(!stateText.includes('s3cr3t-one'));
  ws.write('test.flow.yaml', flow('s3cr3t-two'));
  const status = await flowStatus(ws.flowFile);
  assert.deepEqual(status.steps.get('call')!.reasons, ['env.API_TOKEN changed']);
});

test('status sees a dep created, changed or removed since its last check', async (t) => {
  const ws = workspace(FLOW, {});
  t.after(ws.cleanup);
  const missing = await flowStatus(ws.flowFile);
  assert.equal(missing.steps.get('prepare')!.state, 'invalid');
  assert.match(missing.steps.get('prepare')!.reasons.join('\n'), /Dep 'data\/raw.txt' of step 'prepare' does not exist/);

  ws.write('data/raw.txt', 'rows\n');
  const created = await flowStatus(ws.flowFile);
  assert.equal(created.steps.get('prepare')!.state, 'never-run');
  await ws.run();
  assert.equal((await flowStatus(ws.flowFile)).steps.get('prepare')!.state, 'up-to-date');

  ws.write('data/raw.txt', 'other rows, longer\n');
  const changed = await flowStatus(ws.flowFile);
  assert.equal(changed.steps.get('prepare')!.state, 'stale');
  assert.match(changed.steps.get('prepare')!.reasons.join('\n'), /data\/raw\.txt changed/);

  fs.rmSync(path.join(ws.dir, 'data/raw.txt'));
  assert.equal((await flowStatus(ws.flowFile)).steps.get('prepare')!.state, 'invalid');
});
