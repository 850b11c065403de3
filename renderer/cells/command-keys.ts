// The notebook's keyboard as a Jupyter user expects it: command-mode keys (A/B, D D, M/Y, arrows, J/K,
// I I, 0 0, Enter) and the keys of both modes (Shift/Ctrl/Alt+Enter, Ctrl+S). Pure. Renderer process.

export interface KeyPress {
  readonly key: string;
  readonly ctrl: boolean;
  readonly meta: boolean;
  readonly shift: boolean;
  readonly alt: boolean;
}

export type NotebookCommand =
  | 'run'
  | 'run-and-advance'
  | 'run-and-insert'
  | 'edit'
  | 'insert-above'
  | 'insert-below'
  | 'delete'
  | 'to-markdown'
  | 'to-code'
  | 'select-previous'
  | 'select-next'
  | 'extend-previous'
  | 'extend-next'
  | 'interrupt'
  | 'restart'
  | 'save';

export interface KeyResult {
  readonly command: NotebookCommand | null;
  /** The first key of a two-key command (D D, I I, 0 0) waiting for its second. */
  readonly pending: string | null;
}

const NONE: KeyResult = { command: null, pending: null };

/** Keys that act in both modes (the editor passes them on): running and saving. */
export function anyModeKey(press: KeyPress): NotebookCommand | null {
  const primary = press.ctrl || press.meta;
  if (press.key === 'Enter') {
    if (press.shift && !primary && !press.alt) return 'run-and-advance';
    if (primary && !press.shift && !press.alt) return 'run';
    if (press.alt && !primary && !press.shift) return 'run-and-insert';
    return null;
  }
  if (primary && !press.alt && !press.shift && press.key.toLowerCase() === 's') return 'save';
  return null;
}

const SINGLE: Readonly<Record<string, NotebookCommand>> = {
  a: 'insert-above',
  b: 'insert-below',
  m: 'to-markdown',
  y: 'to-code',
  k: 'select-previous',
  j: 'select-next',
  ArrowUp: 'select-previous',
  ArrowDown: 'select-next',
  Enter: 'edit',
};

const EXTENDED: Readonly<Record<string, NotebookCommand>> = {
  k: 'extend-previous',
  j: 'extend-next',
  ArrowUp: 'extend-previous',
  ArrowDown: 'extend-next',
};

const DOUBLE: Readonly<Record<string, NotebookCommand>> = { d: 'delete', i: 'interrupt', '0': 'restart' };

/** A key press in command mode, given the pending first key of a two-key command. */
export function commandModeKey(press: KeyPress, pending: string | null): KeyResult {
  const command = anyModeKey(press);
  if (command) return { command, pending: null };
  if (press.ctrl || press.meta || press.alt) return NONE;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (press.shift) return { command: EXTENDED[key] ?? null, pending: null };
  const double = DOUBLE[key];
  if (double) return pending === key ? { command: double, pending: null } : { command: null, pending: key };
  return { command: SINGLE[key] ?? null, pending: null };
}
