// The runs table's 2-D row window (webviews/experiments/row-cache.ts): blocks of rows, each holding only the
// columns asked for; a horizontal scroll asks the blocks in view for just the new columns and merges them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK, RowCache } from '../../webviews/experiments/row-cache';
import type { Row } from '../../webviews/experiments/contract';

const COLUMNS = ['id', 'status', 'params.a', 'params.b', 'metrics.x'];
/** What the host answers: rows of block `block` with `columns`, values naming row and column. */
const answer = (block: number, columns: string[], count = BLOCK): Row[] =>
  Array.from({ length: count }, (_, i) => ({ id: `r${block * BLOCK + i}`, cells: columns.map((c) => `${c}@${block * BLOCK + i}`) }));

test('a block not held is asked for with the columns on screen; held columns are not asked again', () => {
  const cache = new RowCache(1, COLUMNS);
  assert.deepEqual(cache.missing(0, 150, ['id', 'status']), [
    { block: 0, columns: ['id', 'status'] },
    { block: 1, columns: ['id', 'status'] },
  ]);
  // Asked and not answered yet: nothing to ask.
  assert.deepEqual(cache.missing(0, 150, ['id', 'status']), []);
  cache.put(0, answer(0, ['id', 'status']), ['id', 'status']);
  assert.deepEqual(cache.get(5)!.cells, ['id@5', 'status@5', undefined, undefined, undefined]);
  // Scrolled right: only the newly visible column, for the blocks in view.
  assert.deepEqual(cache.missing(0, 150, ['id', 'params.b', 'unknown.column']), [
    { block: 0, columns: ['params.b'] },
    { block: 1, columns: ['params.b'] },
  ]);
});

test('an answer for new columns merges into the row, as a new object (memoized rows see the change)', () => {
  const cache = new RowCache(1, COLUMNS);
  cache.missing(0, 10, ['id']);
  cache.put(0, answer(0, ['id']), ['id']);
  const before = cache.get(3)!;
  cache.missing(0, 10, ['metrics.x']);
  cache.put(0, answer(0, ['metrics.x']), ['metrics.x']);
  const after = cache.get(3)!;
  assert.notEqual(after, before);
  assert.deepEqual(after.cells, ['id@3', undefined, undefined, undefined, 'metrics.x@3']);
  assert.equal(cache.get(BLOCK), undefined, 'a short answer is the end of the result');
});

test('a failed ask may be asked again; a live patch changes only its rows and columns', () => {
  const cache = new RowCache(1, COLUMNS);
  cache.missing(0, 10, ['id', 'status']);
  cache.failed(0, ['id', 'status']);
  assert.deepEqual(cache.missing(0, 10, ['id', 'status']), [{ block: 0, columns: ['id', 'status'] }]);
  cache.put(0, answer(0, ['id', 'status']), ['id', 'status']);
  const untouched = cache.get(4);
  assert.equal(cache.patch([{ id: 'r3', cells: ['running'] }], ['status']), true);
  assert.deepEqual(cache.get(3)!.cells, ['id@3', 'running', undefined, undefined, undefined]);
  assert.equal(cache.get(4), untouched);
  assert.equal(cache.patch([{ id: 'elsewhere', cells: ['x'] }], ['status']), false);
});

test('a query answer\'s window fills whole blocks from a block boundary', () => {
  const cache = new RowCache(2, COLUMNS);
  cache.putWindow(0, [...answer(0, ['id']), ...answer(1, ['id'], 20)], ['id']);
  assert.equal(cache.get(119)!.id, 'r119');
  assert.deepEqual(cache.missing(0, 120, ['id']), []);
});
