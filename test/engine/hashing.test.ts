import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ContentStore } from '../../core/engine/cas';
import { ContentHasher } from '../../core/engine/hasher';
import { hashOutputs } from '../../core/engine/outputs';
import { StatCache } from '../../core/engine/statcache';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-hash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

test('file digests are sha256 of the contents, streamed for big files', async (t) => {
  const dir = tempDir(t);
  const big = Buffer.alloc(20 << 20, 7);
  big.write('tail', big.length - 4);
  fs.writeFileSync(path.join(dir, 'big.bin'), big);
  fs.writeFileSync(path.join(dir, 'small.txt'), 'hello');
  const hasher = new ContentHasher();
  assert.deepEqual(await hasher.digest(path.join(dir, 'small.txt')), { kind: 'file', hash: sha('hello'), size: 5 });
  assert.equal((await hasher.digest(path.join(dir, 'big.bin')))!.hash, sha(big));
  assert.equal(await hasher.digest(path.join(dir, 'absent')), undefined);
});

test('a stat cache hit is trusted without reading the file; it persists across instances', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'a.txt');
  const cacheFile = path.join(dir, 'statcache.json');
  fs.writeFileSync(file, 'one');
  const first = new ContentHasher(new StatCache(cacheFile));
  assert.equal((await first.digest(file))!.hash, sha('one'));
  first.saveCache();
  // Plant a different hash for the same stat: if the next hasher read the file it would not return it.
  const saved = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
  saved.entries[file][4] = 'f'.repeat(64);
  fs.writeFileSync(cacheFile, JSON.stringify(saved));
  assert.equal((await new ContentHasher(new StatCache(cacheFile)).digest(file))!.hash, 'f'.repeat(64));
  fs.writeFileSync(file, 'two');
  assert.equal((await new ContentHasher(new StatCache(cacheFile)).digest(file))!.hash, sha('two'));
});

test('a corrupt stat cache file is ignored, not fatal', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'statcache.json'), '{"version":1,"entr');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
  const hasher = new ContentHasher(new StatCache(path.join(dir, 'statcache.json')));
  assert.equal((await hasher.digest(path.join(dir, 'a.txt')))!.hash, sha('x'));
  hasher.saveCache();
  assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(dir, 'statcache.json'), 'utf8')));
});

test('a directory digests as its sorted manifest: same contents, same hash; any change, another hash', async (t) => {
  const dir = tempDir(t);
  const make = (root: string, files: Record<string, string>) => {
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), content);
    }
  };
  make(path.join(dir, 'a'), { 'x.txt': '1', 'sub/y.txt': '2' });
  make(path.join(dir, 'b'), { 'sub/y.txt': '2', 'x.txt': '1' });
  make(path.join(dir, 'c'), { 'x.txt': '1', 'sub/z.txt': '2' });
  const hasher = new ContentHasher();
  const a = (await hasher.digest(path.join(dir, 'a')))!;
  assert.equal(a.kind, 'dir');
  assert.deepEqual(a.kind === 'dir' && a.files.map((f) => f.path), ['sub/y.txt', 'x.txt']);
  assert.equal((await hasher.digest(path.join(dir, 'b')))!.hash, a.hash);
  assert.notEqual((await hasher.digest(path.join(dir, 'c')))!.hash, a.hash);
});

test('cached objects are read-only copies and a restore never links user files to them', async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'out'));
  fs.writeFileSync(path.join(dir, 'out', 'm.bin'), 'model');
  fs.writeFileSync(path.join(dir, 'r.txt'), 'report');
  const hasher = new ContentHasher();
  const { records } = await hashOutputs(dir, ['out', 'r.txt'], hasher);
  const store = new ContentStore(path.join(dir, '.flowbench'), hasher);
  await store.storeObjects(dir, records);
  assert.equal(store.manifest('fp1'), undefined, 'no manifest before the run is recorded');
  store.recordRun('step', 'fp1', records);
  const object = store.objectPath(sha('model'));
  assert.equal(fs.statSync(object).mode & 0o222, 0, 'objects are read-only');

  fs.rmSync(path.join(dir, 'out'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'r.txt'), 'changed');
  const manifest = store.manifest('fp1')!;
  assert.ok((await store.check(manifest)).complete);
  await store.restore(dir, manifest);
  assert.equal(fs.readFileSync(path.join(dir, 'out', 'm.bin'), 'utf8'), 'model');
  assert.equal(fs.readFileSync(path.join(dir, 'r.txt'), 'utf8'), 'report');
  fs.writeFileSync(path.join(dir, 'out', 'm.bin'), 'user edit');
  assert.equal(fs.readFileSync(object, 'utf8'), 'model');

  fs.rmSync(object, { force: true });
  assert.equal((await store.check(manifest)).complete, false, 'a pruned object makes the manifest unusable');
  assert.equal(store.manifest('unknown'), undefined);
});

test('the worker pool hashes in parallel, reports unreadable files, and never keeps the process alive', async (t) => {
  const dir = tempDir(t);
  const files = [0, 1, 2].map((i) => {
    const file = path.join(dir, `f${i}.bin`);
    fs.writeFileSync(file, Buffer.alloc(300_000 + i, i));
    return file;
  });
  const script = `
    const { HashPool } = require(${JSON.stringify(path.join(__dirname, '../../core/engine/hash-pool.ts'))});
    const pool = new HashPool(2);
    Promise.all(${JSON.stringify(files)}.map((f) => pool.hash(f))).then(async (hashes) => {
      const missing = await pool.hash(${JSON.stringify(path.join(dir, 'absent'))}).catch((e) => 'rejected: ' + e.message);
      console.log(JSON.stringify({ hashes, missing }));
    });`;
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  const { hashes, missing } = JSON.parse(out);
  assert.deepEqual(hashes, files.map((f) => sha(fs.readFileSync(f))));
  assert.match(missing, /^rejected: ENOENT/);
});

test('a FIFO in a dep folder is digested by its kind, never read (reading it would block forever)', async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'a.txt'), 'a');
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [path.join(dir, 'data', 'pipe')]);
  const hasher = new ContentHasher();
  const folder = await hasher.digest(path.join(dir, 'data'));
  assert.equal(folder?.kind, 'dir');
  assert.deepEqual(folder?.kind === 'dir' && folder.files.map((f) => f.path), ['a.txt', 'pipe']);
  const fifo = await hasher.digest(path.join(dir, 'data', 'pipe'));
  assert.equal(fifo?.size, 0);
  fs.rmSync(path.join(dir, 'data', 'pipe'));
  fs.writeFileSync(path.join(dir, 'data', 'pipe'), '');
  const replaced = await new ContentHasher().digest(path.join(dir, 'data'));
  assert.notEqual(replaced?.hash, folder?.hash, 'a regular file in its place is a change');
});
