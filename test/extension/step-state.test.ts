import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shownState } from '../../extension/step-state';

test('during a run the live state wins over the disk status', () => {
  assert.equal(shownState('up-to-date', { state: 'running' }, true), 'running');
  assert.equal(shownState('stale', { state: 'queued' }, true), 'queued');
  assert.equal(shownState('stale', { state: 'cached' }, true), 'cached');
});

test('a cancelled, failed or skipped step never shows up to date afterwards', () => {
  for (const state of ['cancelled', 'failed', 'skipped'] as const) {
    assert.equal(shownState('up-to-date', { state }, false), state);
    assert.equal(shownState('never-run', { state }, false), state);
  }
});

test('a successful last run stands only while the disk status agrees', () => {
  assert.equal(shownState('up-to-date', { state: 'cached' }, false), 'cached');
  assert.equal(shownState('up-to-date', { state: 'succeeded' }, false), 'succeeded');
  // A dep changed after the run: the disk status (stale) is the truth now.
  assert.equal(shownState('stale', { state: 'succeeded' }, false), 'stale');
});

test('without a run in this session the disk status shows, or unknown', () => {
  assert.equal(shownState('invalid', undefined, false), 'invalid');
  assert.equal(shownState('never-run', undefined, false), 'never-run');
  assert.equal(shownState(undefined, undefined, false), 'unknown');
});
