// The cache never replaces a path that is not a confined out, whatever a manifest says: the guard sits
// where restore deletes, so a tampered journal or an unvalidated flow cannot delete the project.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore, type RunManifest } from '../../core/engine/cas';
import { ContentHasher } from '../../core/engine/hasher';
import { hashOutputs, type OutputRecord } from '../../core/engine/outputs';
import { StatCache } from '../../core/engine/statcache';
import { tempProject } from '../helpers/project';

const project = tempProject({ 'keep.txt': 'precious', 'out/model.txt': 'weights', 'sql/a.sql': 'select 1' });
const outside = mkdtempSync(join(tmpdir(), 'flowbench-victim-'));
after(() => {
  project.remove();
  rmSync(outside, { recursive: true, force: true });
});

const hasher = new ContentHasher(new StatCache(project.path('.flowbench/statcache.json')));

async function storedOut(): Promise<OutputRecord> {
  const { records } = await hashOutputs(project.root, ['out'], hasher);
  return records[0]!;
}

test('restore refuses the project folder, paths outside it, .git and paths through a symlink out of it', async () => {
  const cas = new ContentStore(project.path('.flowbench'), hasher);
  const out = await storedOut();
  await cas.storeObjects(project.root, [out]);
  mkdirSync(join(outside, 'victim'));
  project.write('victim-inside.txt', 'x');
  symlinkSync(outside, project.path('away'));
  mkdirSync(project.path('.git'));
  const paths = ['.', '', '../' + join(outside.split('/').pop()!, 'victim'), outside, 'away/victim', '.git', '.flowbench'];
  for (const p of paths) {
    const manifest: RunManifest = { version: 1, fingerprint: 'f', step: 's', storedAt: 0, outputs: [{ ...out, path: p }] };
    await assert.rejects(cas.restore(project.root, manifest), /refusing to replace/, JSON.stringify(p));
  }
  assert.equal(readFileSync(project.path('keep.txt'), 'utf8'), 'precious');
  assert.ok(existsSync(join(outside, 'victim')));
  assert.ok(existsSync(project.path('.git')));
  assert.ok(existsSync(project.path('.flowbench/cache/objects')));
  cas.close();
});

test('a directory out whose file entries lead outside it is refused; a sound one restores', async () => {
  const cas = new ContentStore(project.path('.flowbench'), hasher);
  const out = await storedOut();
  await cas.storeObjects(project.root, [out]);
  const escaping: OutputRecord = { ...out, files: [{ ...out.files![0]!, path: '../keep.txt' }] };
  await assert.rejects(cas.restore(project.root, { version: 1, fingerprint: 'f', step: 's', storedAt: 0, outputs: [escaping] }), /outside the folder out it belongs to/);
  assert.equal(readFileSync(project.path('keep.txt'), 'utf8'), 'precious');
  rmSync(project.path('out'), { recursive: true });
  await cas.restore(project.root, { version: 1, fingerprint: 'f', step: 's', storedAt: 0, outputs: [out] });
  assert.equal(readFileSync(project.path('out/model.txt'), 'utf8'), 'weights');
  cas.close();
});
