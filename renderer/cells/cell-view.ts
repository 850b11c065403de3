// What the notebook view needs of a cell view (code or markdown), what a cell view may ask of the
// notebook, and the small per-cell toolbar both kinds share. Renderer process.
import type { RendererLabClient } from '../api/lab-client';
import { element } from '../dom/element';
import type { EditorKeyCommand } from '../editor/code-editor';
import type { CellRun } from '../notebook/cell-runs';
import type { CellId, CellKind } from '../notebook/notebook-document';
import type { NotebookSession } from '../notebook/notebook-session';

export type CellAction = 'run' | 'move-up' | 'move-down' | 'duplicate' | 'delete' | 'to-code' | 'to-markdown';

export interface CellHost {
  readonly client: RendererLabClient;
  readonly session: NotebookSession;
  /** A name for a cell editor's model, never given before (an editor being disposed may still hold the last). */
  editorName(cellId: CellId): string;
  editorCommand(cellId: CellId, command: EditorKeyCommand): void;
  editorFocused(cellId: CellId): void;
  /** A click on the cell outside its editor: selects it (Shift extends) in command mode. */
  cellClicked(cellId: CellId, event: MouseEvent): void;
  cellAction(cellId: CellId, action: CellAction): void;
}

export interface CellView {
  readonly id: CellId;
  readonly kind: CellKind;
  readonly element: HTMLElement;
  setSelected(selected: boolean, cursor: boolean): void;
  /** Edit mode: the cell's editor takes the keyboard. */
  edit(): void;
  /** Command mode: a markdown cell shows its rendering again. */
  leaveEdit(): void;
  runChanged(run: CellRun): void;
  dispose(): void;
}

const ACTIONS: readonly { action: CellAction; label: string; title: string; kinds: readonly CellKind[] }[] = [
  { action: 'run', label: '▶', title: 'Run (Ctrl+Enter)', kinds: ['code', 'markdown'] },
  { action: 'move-up', label: '↑', title: 'Move up', kinds: ['code', 'markdown'] },
  { action: 'move-down', label: '↓', title: 'Move down', kinds: ['code', 'markdown'] },
  { action: 'duplicate', label: 'copy', title: 'Duplicate', kinds: ['code', 'markdown'] },
  { action: 'to-markdown', label: 'M↓', title: 'Make it a Markdown cell (M)', kinds: ['code'] },
  { action: 'to-code', label: '{ }', title: 'Make it a code cell (Y)', kinds: ['markdown'] },
  { action: 'delete', label: '✕', title: 'Delete (D D)', kinds: ['code', 'markdown'] },
];

/** The buttons shown on the selected or hovered cell. */
export function cellToolbar(host: CellHost, id: CellId, kind: CellKind): HTMLElement {
  return element(
    'div',
    { className: 'cell-actions', attrs: { role: 'toolbar', 'aria-label': 'Cell actions' } },
    ACTIONS.filter((a) => a.kinds.includes(kind)).map(({ action, label, title }) => {
      const button = element('button', { className: 'icon', title, testId: `cell-${action}`, attrs: { 'aria-label': title } }, [label]);
      button.addEventListener('click', (event) => {
        event.stopPropagation();
        host.cellAction(id, action);
      });
      return button;
    }),
  );
}
