// The notebook's keyboard in command mode and in both modes, as a Jupyter user expects it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anyModeKey, commandModeKey, type KeyPress } from '../../../renderer/cells/command-keys';

const key = (k: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({ key: k, ctrl: false, meta: false, shift: false, alt: false, ...mods });

/** Feeds key presses in command mode; returns the commands they gave. */
function press(...keys: KeyPress[]): (string | null)[] {
  let pending: string | null = null;
  return keys.map((k) => {
    const r = commandModeKey(k, pending);
    pending = r.pending;
    return r.command;
  });
}

describe('command-mode keys', () => {
  it('maps single keys to cell commands', () => {
    assert.deepEqual(press(key('a'), key('b'), key('m'), key('y'), key('Enter'), key('ArrowUp'), key('k'), key('ArrowDown'), key('j')), [
      'insert-above',
      'insert-below',
      'to-markdown',
      'to-code',
      'edit',
      'select-previous',
      'select-previous',
      'select-next',
      'select-next',
    ]);
  });

  it('deletes on D D, interrupts on I I and restarts on 0 0, and a key in between cancels', () => {
    assert.deepEqual(press(key('d'), key('d')), [null, 'delete']);
    assert.deepEqual(press(key('i'), key('i'), key('0'), key('0')), [null, 'interrupt', null, 'restart']);
    assert.deepEqual(press(key('d'), key('j'), key('d')), [null, 'select-next', null]);
    assert.deepEqual(press(key('d'), key('i'), key('d')), [null, null, null], 'a different double key restarts the count');
    assert.deepEqual(commandModeKey(key('d'), null), { command: null, pending: 'd' });
  });

  it('extends the selection with Shift and ignores letters under Ctrl, Alt or Meta', () => {
    assert.deepEqual(press(key('K', { shift: true }), key('ArrowDown', { shift: true }), key('A', { shift: true })), ['extend-previous', 'extend-next', null]);
    assert.deepEqual(press(key('a', { ctrl: true }), key('d', { meta: true }), key('d', { alt: true })), [null, null, null]);
  });

  it('runs with Shift/Ctrl/Alt+Enter and saves with Ctrl+S or Cmd+S, in any mode', () => {
    assert.equal(anyModeKey(key('Enter', { shift: true })), 'run-and-advance');
    assert.equal(anyModeKey(key('Enter', { ctrl: true })), 'run');
    assert.equal(anyModeKey(key('Enter', { meta: true })), 'run');
    assert.equal(anyModeKey(key('Enter', { alt: true })), 'run-and-insert');
    assert.equal(anyModeKey(key('Enter')), null);
    assert.equal(anyModeKey(key('s', { ctrl: true })), 'save');
    assert.equal(anyModeKey(key('S', { meta: true })), 'save');
    assert.equal(anyModeKey(key('s', { ctrl: true, shift: true })), null);
    assert.deepEqual(press(key('Enter', { shift: true }), key('s', { ctrl: true })), ['run-and-advance', 'save']);
  });
});
