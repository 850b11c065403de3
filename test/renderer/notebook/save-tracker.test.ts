// The dirty flag: set by the first unsaved edit, cleared only when the file holds every edit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SaveTracker } from '../../../renderer/notebook/save-tracker';

describe('SaveTracker', () => {
  it('is dirty from an edit until the save that follows its update', () => {
    const t = new SaveTracker();
    assert.equal(t.dirty, false);
    t.edited();
    assert.deepEqual([t.dirty, t.hasUnsent], [true, true]);
    t.sending();
    assert.equal(t.updated(), false);
    assert.equal(t.dirty, true, 'the service has not written the file yet');
    t.savedEvent();
    assert.equal(t.dirty, false);
  });

  it('stays dirty when a save is announced while newer edits are unsent', () => {
    const t = new SaveTracker();
    t.edited();
    t.sending();
    t.updated();
    t.edited();
    t.savedEvent();
    assert.deepEqual([t.dirty, t.hasUnsent], [true, true]);
  });

  it('asks to send again when a save was announced during the update, which it may not have held', () => {
    const t = new SaveTracker();
    t.edited();
    t.sending();
    t.savedEvent();
    assert.equal(t.dirty, true);
    assert.equal(t.updated(), true);
    assert.equal(t.hasUnsent, true);
    t.sending();
    assert.equal(t.updated(), false);
    t.savedEvent();
    assert.equal(t.dirty, false);
  });

  it('is clean after an explicit save unless edits came meanwhile, and keeps failed writes unsent', () => {
    const t = new SaveTracker();
    t.edited();
    t.sending();
    t.savedExplicitly();
    assert.equal(t.dirty, false);
    t.edited();
    t.sending();
    t.edited();
    t.savedExplicitly();
    assert.equal(t.dirty, true);
    t.sending();
    t.failed();
    assert.deepEqual([t.dirty, t.hasUnsent], [true, true]);
  });
});
