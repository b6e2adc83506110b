// The request log: whole lines, written after the request (buffered), rotated to requests.1.jsonl at the cap,
// counted across both files; and the CSV reader the endpoint takes rows with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countRequests, RequestLog, rotatedLogPath } from '../../core/deploy/local-log';
import { parseCsv, RequestError } from '../../core/deploy/local-rows';
import type { RequestLogLine } from '../../core/deploy/types';

const entry = (i: number): RequestLogLine => ({ t: 1_700_000_000_000 + i, ms: 0.5, status: 200, rows: 1, batch: 1, inputs: { x: i }, prediction: i / 10 });

test('log lines are buffered, then written whole; past the cap the file rotates and counting spans both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'd', 'requests.jsonl');
  const lineBytes = JSON.stringify(entry(10)).length + 1;
  const log = new RequestLog(file, lineBytes * 25);
  for (let i = 10; i < 30; i++) log.add(entry(i));
  assert.equal(existsSync(file) ? readFileSync(file, 'utf8') : '', '', 'nothing is written on the request path');
  await log.flush();
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 20);
  for (let i = 30; i < 40; i++) log.add(entry(i));
  await log.flush();
  assert.equal(rotatedLogPath(file), join(dir, 'd', 'requests.1.jsonl'));
  const rotated = readFileSync(rotatedLogPath(file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RequestLogLine);
  const current = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RequestLogLine);
  assert.deepEqual(rotated.map((l) => l.inputs.x), Array.from({ length: 20 }, (_, i) => i + 10));
  assert.deepEqual(current.map((l) => l.inputs.x), Array.from({ length: 10 }, (_, i) => i + 30));
  log.add(entry(40));
  log.flushSync();
  assert.equal(await countRequests(file), 31);
  // A reopened log continues the file's size, so the cap holds across restarts.
  const again = new RequestLog(file, lineBytes * 12);
  again.add(entry(41));
  again.flushSync();
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1);
  assert.equal(await countRequests(join(dir, 'none.jsonl')), 0);
});

test('CSV: quoted fields with commas, quotes and newlines, CRLF, a missing last newline; an unclosed quote is a 400', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",\n\n1,2'), [['a', 'b'], ['x, y', 'say "hi"'], ['multi\nline', ''], ['1', '2']]);
  assert.throws(() => parseCsv('a,b\n"open,1\n'), (err: unknown) => err instanceof RequestError && err.status === 400 && /never closed/.test(err.message));
});
