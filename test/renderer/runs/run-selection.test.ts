// The ticked runs: toggling, replacing and dropping deleted ones, with one notice per real change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunId } from '../../../engine/api/schemas';
import { RunSelection } from '../../../renderer/runs/run-selection';

const ids = (...n: number[]) => n as RunId[];

describe('RunSelection', () => {
  it('keeps ticked runs in order and tells listeners only when something changed', () => {
    const s = new RunSelection();
    let notices = 0;
    s.subscribe(() => (notices += 1));
    s.toggle(3 as RunId);
    s.toggle(5 as RunId);
    s.toggle(5 as RunId, true);
    assert.deepEqual(s.list(), ids(3, 5));
    s.set(ids(5, 3));
    assert.equal(notices, 2, 'setting the same runs is no change');
    s.set(ids(7, 7, 2));
    assert.deepEqual(s.list(), ids(7, 2));
    s.retain(new Set(ids(2)));
    assert.deepEqual([s.list(), s.has(7 as RunId), s.size, notices], [ids(2), false, 1, 4]);
  });
});
