// What the cache gives back: the content it stored (a corrupted object is caught, dropped and rebuilt),
// the files' modes and empty folders, and nothing that cannot be copied (FIFOs and sockets in outs).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../core/engine/events';
import { flowStatus } from '../../core/engine/status';
import { outcomes, workspace, type Workspace } from './workspace';

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

const FLOW = `flow: restore
params: { lr: 0.1 }
steps:
  train:
    run: echo train >> runs.log && mkdir -p models && echo "lr=\${params.lr}" > models/model.txt
    outs: [models]
`;

function objectFile(ws: Workspace, content: string): string {
  const hash = sha(content);
  return path.join(ws.dir, '.flowbench', 'cache', 'objects', hash.slice(0, 2), hash);
}

/** Overwrites a cached object with other bytes of the same size, as a stray editor or a bad disk would. */
function corrupt(file: string): void {
  const size = fs.statSync(file).size;
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, 'X'.repeat(size));
  fs.chmodSync(file, 0o444);
}

function notes(events: RunEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'step-log' && e.text.startsWith('flowbench: ') ? [e.text] : []));
}

/** Runs the flow with lr 0.1, then 0.2: the 0.1 model is in the cache only. Returns that model's object file. */
async function cachedAndReplaced(t: { after: (fn: () => void) => void }): Promise<{ ws: Workspace; object: string }> {
  const ws = workspace(FLOW);
  t.after(ws.cleanup);
  await ws.run();
  await ws.run({ overrides: { lr: 0.2 } });
  return { ws, object: objectFile(ws, 'lr=0.1\n') };
}

const ran = (ws: Workspace) => ws.read('runs.log').trim().split('\n').length;

test('a corrupted cache object is caught on restore: removed, reported, the step runs again and the cache is whole again', async (t) => {
  const { ws, object } = await cachedAndReplaced(t);
  corrupt(object);

  const back = await ws.run();
  assert.deepEqual(outcomes(back.result), { train: 'succeeded' }, 'a corrupt object must not be restored');
  assert.equal(ran(ws), 3, 'the step ran again');
  assert.equal(ws.read('models/model.txt'), 'lr=0.1\n');
  const warning = notes(back.events).find((n) => /corrupt/.test(n));
  assert.ok(warning, `a warning says so: ${JSON.stringify(notes(back.events))}`);
  assert.match(warning, /models\/model\.txt/);
  const start = back.events.find((e) => e.type === 'step-start');
  assert.ok(start?.type === 'step-start' && start.reasons.some((r) => /corrupt/.test(r)), 'the reason to run names the corrupt object');
  assert.equal(sha(fs.readFileSync(object)), sha('lr=0.1\n'), 'the object was written again from the fresh out');
  assert.equal((await flowStatus(ws.flowFile)).steps.get('train')!.state, 'up-to-date');

  await ws.run({ overrides: { lr: 0.2 } });
  const again = await ws.run();
  assert.deepEqual(outcomes(again.result), { train: 'restored' }, 'the repaired object restores');
  assert.equal(ws.read('models/model.txt'), 'lr=0.1\n');
  assert.deepEqual(notes(again.events).filter((n) => /corrupt/.test(n)), []);
});

test('storing repairs a corrupt object of the same size instead of keeping it', async (t) => {
  const ws = workspace(FLOW);
  t.after(ws.cleanup);
  await ws.run();
  const object = objectFile(ws, 'lr=0.1\n');
  corrupt(object);
  const forced = await ws.run({ force: true });
  assert.deepEqual(outcomes(forced.result), { train: 'succeeded' });
  assert.equal(sha(fs.readFileSync(object)), sha('lr=0.1\n'));
  assert.equal(fs.statSync(object).mode & 0o222, 0, 'the repaired object is read-only again');
});

test('an object checked once is remembered by its stat, and checked again when it changes', async (t) => {
  const { ws, object } = await cachedAndReplaced(t);
  const statCache = () => JSON.parse(ws.read('.flowbench/statcache.json')).entries as Record<string, unknown[]>;
  assert.equal(statCache()[object]?.[4], sha('lr=0.1\n'), 'the stored object is known by its stat');
  assert.deepEqual(outcomes((await ws.run()).result), { train: 'restored' });
  // Same size, same mtime: only the stat cache's ctime and inode check can tell.
  const { atime, mtime } = fs.statSync(object);
  corrupt(object);
  fs.utimesSync(object, atime, mtime);
  await ws.run({ overrides: { lr: 0.2 } });
  assert.deepEqual(outcomes((await ws.run()).result), { train: 'succeeded' });
});

test('an unchanged object is not read again: the remembered check is what a restore goes by', async (t) => {
  const { ws, object } = await cachedAndReplaced(t);
  const file = path.join(ws.dir, '.flowbench', 'statcache.json');
  const cache = JSON.parse(fs.readFileSync(file, 'utf8'));
  // A wrong hash remembered for the unchanged object: believed only if the object is not hashed again.
  cache.entries[object][4] = 'f'.repeat(64);
  fs.writeFileSync(file, JSON.stringify(cache));
  const back = await ws.run();
  assert.deepEqual(outcomes(back.result), { train: 'succeeded' });
  assert.ok(notes(back.events).some((n) => /corrupt/.test(n)));
});

test('restore keeps file modes and empty folders', async (t) => {
  const ws = workspace(`flow: modes
params: { v: 1 }
steps:
  build:
    run: >-
      echo build >> runs.log && mkdir -p dist/bin dist/empty dist/cache/deep &&
      printf '#!/bin/sh\\necho tool \${params.v}\\n' > dist/bin/tool && chmod 755 dist/bin/tool &&
      echo data > dist/data.txt && chmod 640 dist/data.txt &&
      printf '#!/bin/sh\\necho run\\n' > run.sh && chmod 700 run.sh
    outs: [dist, run.sh]
`);
  t.after(ws.cleanup);
  const mode = (rel: string) => fs.statSync(path.join(ws.dir, rel)).mode & 0o777;
  await ws.run();
  await ws.run({ overrides: { v: 2 } });
  fs.rmSync(path.join(ws.dir, 'dist'), { recursive: true });
  const back = await ws.run();
  assert.deepEqual(outcomes(back.result), { build: 'restored' });
  assert.equal(ran(ws), 2);
  assert.equal(mode('dist/bin/tool'), 0o755);
  assert.equal(mode('dist/data.txt'), 0o640);
  assert.equal(mode('run.sh'), 0o700);
  assert.ok(fs.statSync(path.join(ws.dir, 'dist/empty')).isDirectory(), 'an empty folder comes back');
  assert.ok(fs.statSync(path.join(ws.dir, 'dist/cache/deep')).isDirectory(), 'a nested empty folder comes back');
  assert.equal((await flowStatus(ws.flowFile)).steps.get('build')!.state, 'up-to-date');
});

test('a FIFO or socket inside a directory out is skipped with a warning instead of hanging the run', async (t) => {
  const ws = workspace(`flow: special
steps:
  serve:
    run: >-
      echo serve >> runs.log && mkdir -p out && echo data > out/data.txt && mkfifo out/pipe &&
      node -e "require('net').createServer().listen('out/sock', () => process.exit(0))"
    outs: [out]
  channel:
    run: mkfifo channel.fifo
    outs: [channel.fifo]
`);
  t.after(ws.cleanup);
  const bounded = <T>(p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('the run did not finish within 30 s')), 30_000)));
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  };
  const first = await bounded(ws.run());
  assert.deepEqual(outcomes(first.result), { serve: 'succeeded', channel: 'succeeded' }, JSON.stringify([...first.result.steps]));
  const warnings = notes(first.events).filter((n) => /not a regular file/.test(n));
  assert.deepEqual(warnings.map((w) => /(out\/pipe|out\/sock|channel\.fifo)/.exec(w)?.[1]).sort(), ['channel.fifo', 'out/pipe', 'out/sock'], JSON.stringify(notes(first.events)));
  assert.equal((await flowStatus(ws.flowFile)).steps.get('serve')!.state, 'up-to-date');
  assert.deepEqual(outcomes((await bounded(ws.run())).result), { serve: 'cached', channel: 'cached' });

  fs.rmSync(path.join(ws.dir, 'out'), { recursive: true });
  const back = await bounded(ws.run({ targets: ['serve'] }));
  assert.deepEqual(outcomes(back.result), { serve: 'restored' });
  assert.deepEqual(fs.readdirSync(path.join(ws.dir, 'out')), ['data.txt']);
  assert.equal(ran(ws), 1);
});
