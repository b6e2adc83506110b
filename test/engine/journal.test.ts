import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Journal } from '../../core/engine/journal';

interface Rec {
  n: number;
}
const isRec = (_key: string, v: unknown): v is Rec => typeof (v as Rec)?.n === 'number';

function journalFile(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-journal-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'state', 'flow.jsonl');
}

test('last line per key wins, deletions stick, and another reader sees the writes', (t) => {
  const file = journalFile(t);
  const writer = new Journal<Rec>(file, isRec);
  writer.set('a', { n: 1 });
  writer.set('b', { n: 2 });
  writer.set('a', { n: 3 });
  writer.delete('b');
  const reader = new Journal<Rec>(file, isRec);
  assert.deepEqual(reader.get('a'), { n: 3 });
  assert.equal(reader.get('b'), undefined);
  writer.set('c', { n: 4 });
  assert.deepEqual(reader.get('c'), { n: 4 }, 'a reader notices lines appended after its first read');
  writer.close();
});

test('a torn last line from a killed writer is skipped, and the next writer starts on a fresh line', (t) => {
  const file = journalFile(t);
  const first = new Journal<Rec>(file, isRec);
  first.set('a', { n: 1 });
  first.close();
  fs.appendFileSync(file, '{"k":"b","v":{"n":');
  const second = new Journal<Rec>(file, isRec);
  assert.deepEqual(second.get('a'), { n: 1 });
  assert.equal(second.get('b'), undefined);
  second.set('c', { n: 3 });
  second.close();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.ok(lines.includes('{"k":"c","v":{"n":3}}'), lines.join('\n'));
  assert.deepEqual(new Journal<Rec>(file, isRec).get('c'), { n: 3 });
});

test('a long-lived writer starts on a fresh line after another writer tore one', (t) => {
  const file = journalFile(t);
  const writer = new Journal<Rec>(file, isRec);
  writer.set('a', { n: 1 });
  fs.appendFileSync(file, '{"k":"b","v":{"n":');
  writer.set('c', { n: 3 });
  writer.close();
  const reader = new Journal<Rec>(file, isRec);
  assert.deepEqual([reader.get('a'), reader.get('b'), reader.get('c')], [{ n: 1 }, undefined, { n: 3 }]);
});

test('records that fail the check read as absent; a long journal is compacted when opened for writing', (t) => {
  const file = journalFile(t);
  const j = new Journal<Rec>(file, isRec);
  for (let i = 0; i < 300; i++) j.set('a', { n: i });
  j.close();
  fs.appendFileSync(file, '{"k":"bad","v":{"n":"not a number"}}\n');
  const before = fs.readFileSync(file, 'utf8').split('\n').length;
  const again = new Journal<Rec>(file, isRec);
  assert.equal(again.get('bad'), undefined);
  again.set('b', { n: 1 });
  again.close();
  const after = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.ok(after.length < 5 && before > 300, `compacted from ${before} to ${after.length} lines`);
  const fresh = new Journal<Rec>(file, isRec);
  assert.deepEqual([fresh.get('a'), fresh.get('b')], [{ n: 299 }, { n: 1 }]);
});

test('a writer whose file another writer compacted (renamed over) appends to the new file, not the replaced one', (t) => {
  const file = journalFile(t);
  const longLived = new Journal<Rec>(file, isRec); // the editor's, say: its descriptor stays open
  longLived.set('starred', { n: 1 });
  const churn = new Journal<Rec>(file, isRec);
  for (let i = 0; i < 200; i++) churn.set('flip', { n: i });
  churn.close();
  const compacting = new Journal<Rec>(file, isRec); // a CLI command: opening a long journal compacts it
  compacting.set('other', { n: 2 });
  compacting.close();
  assert.ok(fs.readFileSync(file, 'utf8').split('\n').length < 10, 'compacted');
  longLived.set('later', { n: 3 });
  const reader = new Journal<Rec>(file, isRec);
  assert.deepEqual(
    ['starred', 'flip', 'other', 'later'].map((k) => reader.get(k)),
    [{ n: 1 }, { n: 199 }, { n: 2 }, { n: 3 }],
  );
  longLived.close();
});
