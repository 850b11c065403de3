// The notebook area: toolbar, a view per cell in document order, the selection and Jupyter's edit and
// command modes, the run commands and the `engram:open-cell` request; opens the most recent notebook
// (or the demo) once the lab service is reached. Renderer process.
import type { NotebookState } from '../../engine/api/notebook';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { onAppRequest } from '../app-events';
import { element } from '../dom/element';
import type { EditorKeyCommand } from '../editor/code-editor';
import { NotebookFiles } from '../files/notebook-files';
import { moveSelection, NO_SELECTION, repairSelection, selectedIds, selectOnly, type CellSelection } from '../notebook/cell-selection';
import {
  cellIndex,
  createCell,
  duplicateCell,
  insertCell,
  moveCell,
  removeCell,
  setCellKind,
  setTitle,
  type Cell,
  type CellId,
  type CellKind,
  type NotebookDocument,
} from '../notebook/notebook-document';
import { NotebookSession } from '../notebook/notebook-session';
import { anyModeKey, commandModeKey, type KeyPress, type NotebookCommand } from './command-keys';
import { CodeCellView } from './code-cell-view';
import type { CellAction, CellHost, CellView } from './cell-view';
import { MarkdownCellView } from './markdown-cell-view';
import './notebook.css';
import { NotebookToolbar } from './notebook-toolbar';

/** Where the selection goes after running cells: stay, move to the next cell, or a new cell below. */
type AfterRun = 'stay' | 'advance' | 'insert';

/** The order of cells and their kinds: what the cell views must follow (sources live in the editors). */
function structureOf(doc: NotebookDocument): string {
  return doc.cells.map((c) => `${c.id}:${c.kind}`).join(',');
}

export class NotebookView {
  readonly element: HTMLElement;
  private readonly toolbar: NotebookToolbar;
  private readonly files: NotebookFiles;
  private readonly cells = element('div', { className: 'cells', testId: 'cells', attrs: { tabindex: '-1', 'aria-label': 'Cells' } });
  private readonly recovered = element('p', { className: 'notebook-banner', testId: 'notebook-recovered', attrs: { role: 'status' } });
  private readonly message = element('p', { className: 'message', testId: 'notebook-message', attrs: { role: 'status' } });
  private session: NotebookSession | null = null;
  private sessionSubscriptions: (() => void)[] = [];
  private views = new Map<CellId, CellView>();
  private selection: CellSelection = NO_SELECTION;
  private pendingKey: string | null = null;
  private editorNames = 0;
  private started = false;

  constructor(private readonly client: RendererLabClient) {
    this.files = new NotebookFiles(client, {
      current: () => this.session,
      show: (state) => this.show(state),
      inform: (text) => this.inform(text),
    });
    this.toolbar = new NotebookToolbar({
      newNotebook: () => this.attempt(this.files.newNotebook()),
      open: () => this.attempt(this.files.open()),
      save: () => this.save(),
      saveAs: () => this.attempt(this.files.saveAs()),
      importIpynb: () => this.attempt(this.files.importIpynb()),
      exportIpynb: () => this.attempt(this.files.exportIpynb()),
      rename: (title) => this.session?.store.update((doc) => setTitle(doc, title)),
      addCode: () => this.insert('code', 'below', true),
      addMarkdown: () => this.insert('markdown', 'below', true),
      runSelected: () => this.runCells(this.selectedIds(), 'stay'),
      runAbove: () => this.runAbove(),
      runAll: () => this.runCells(this.session?.doc.cells.map((c) => c.id) ?? [], 'stay'),
      interrupt: () => this.interrupt(),
      restart: () => this.restart(),
    });
    this.recovered.hidden = true;
    this.message.hidden = true;
    this.element = element('section', { className: 'notebook', testId: 'notebook' }, [this.toolbar.element, this.recovered, this.message, this.cells]);
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    window.addEventListener(
      'keydown',
      (event) => {
        if (anyModeKey(pressOf(event)) !== 'save' || !this.session) return;
        event.preventDefault();
        this.save();
      },
      true,
    );
    window.addEventListener('pagehide', () => void this.session?.flush());
    onAppRequest(window, 'engram:open-cell', ({ notebook, cellId }) => void this.revealCell(notebook, cellId));
    client.on('kernel.changed', ({ status }) => this.toolbar.showKernel(status));
    client.onConnection((state) => {
      if (state !== 'open') return;
      void this.refreshKernel();
      if (!this.started) {
        this.started = true;
        this.attempt(this.files.startup());
      } else if (this.session) {
        // Events sent while the connection was down are lost: read the outputs again.
        this.attempt(this.session.resync());
      }
    });
  }

  /** Shows a notebook the service opened or made, replacing the one shown. */
  show(state: NotebookState): void {
    this.closeSession();
    const session = new NotebookSession(this.client, state);
    this.session = session;
    this.sessionSubscriptions = [
      session.store.subscribe((doc, previous) => {
        if (structureOf(doc) !== structureOf(previous)) this.reconcile();
        if (doc.title !== previous.title) this.showFile();
      }),
      session.subscribe((change) => {
        if (change.kind === 'run') this.views.get(change.cellId)?.runChanged(session.runOf(change.cellId));
        else if (change.kind === 'file') this.showFile();
        else this.inform(`The notebook could not be saved: ${describeError(change.error)} (edits are kept and sent again with the next one)`, true);
      }),
    ];
    this.recovered.textContent = 'This notebook was recovered from edits an earlier session had not yet written to its file; they are in the file now.';
    this.recovered.hidden = !state.recovered;
    this.inform('');
    this.reconcile();
    const first = session.doc.cells[0];
    this.selection = first ? selectOnly(first.id) : NO_SELECTION;
    this.renderSelection();
    this.showFile();
    this.commandMode();
  }

  private closeSession(): void {
    for (const off of this.sessionSubscriptions) off();
    this.sessionSubscriptions = [];
    for (const view of this.views.values()) view.dispose();
    this.views.clear();
    this.cells.replaceChildren();
    this.session?.dispose();
    this.session = null;
  }

  private cellHost(session: NotebookSession): CellHost {
    return {
      client: this.client,
      session,
      editorName: (cellId) => `nb${++this.editorNames}/cell-${cellId}`,
      editorCommand: (cellId, command) => this.onEditorCommand(cellId, command),
      editorFocused: (cellId) => {
        this.selection = selectOnly(cellId);
        this.renderSelection();
      },
      cellClicked: (cellId, event) => {
        this.selection = event.shiftKey && this.selection.anchor !== null ? { anchor: this.selection.anchor, cursor: cellId } : selectOnly(cellId);
        this.renderSelection();
        this.commandMode();
      },
      cellAction: (cellId, action) => this.onCellAction(cellId, action),
    };
  }

  /** Makes the cell views follow the document: a view per cell, in order, of the cell's kind. */
  private reconcile(): void {
    const session = this.session;
    if (!session) return;
    const host = this.cellHost(session);
    const next = new Map<CellId, CellView>();
    for (const cell of session.doc.cells) {
      let view = this.views.get(cell.id);
      if (view && view.kind !== cell.kind) {
        view.dispose();
        view = undefined;
      }
      next.set(cell.id, view ?? this.createView(cell, host));
    }
    for (const [id, view] of this.views) if (next.get(id) !== view) view.dispose();
    this.views = next;
    [...next.values()].forEach((view, i) => {
      const at = this.cells.children[i];
      if (at !== view.element) this.cells.insertBefore(view.element, at ?? null);
    });
    while (this.cells.children.length > next.size) this.cells.lastElementChild!.remove();
    this.renderSelection();
  }

  private createView(cell: Cell, host: CellHost): CellView {
    return cell.kind === 'code' ? new CodeCellView(cell, host) : new MarkdownCellView(cell, host);
  }

  private selectedIds(): CellId[] {
    return this.session ? selectedIds(this.session.doc, this.selection) : [];
  }

  private renderSelection(): void {
    const selected = new Set(this.selectedIds());
    for (const [id, view] of this.views) view.setSelected(selected.has(id), id === this.selection.cursor);
    const cursor = this.selection.cursor === null ? undefined : this.views.get(this.selection.cursor);
    cursor?.element.scrollIntoView({ block: 'nearest' });
  }

  private select(id: CellId): void {
    this.selection = selectOnly(id);
    this.renderSelection();
  }

  /** Edit mode in the cursor cell. */
  private editCursor(): void {
    const cursor = this.selection.cursor === null ? undefined : this.views.get(this.selection.cursor);
    cursor?.edit();
  }

  /** Command mode: no editor has the keyboard; a Markdown cell being edited shows its rendering. */
  private commandMode(): void {
    for (const view of this.views.values()) view.leaveEdit();
    this.cells.focus({ preventScroll: true });
  }

  private inEditMode(): boolean {
    return document.activeElement?.closest('.monaco-editor') != null;
  }

  private onKeyDown(event: KeyboardEvent): void {
    const target = event.target as Element;
    // Command mode is the cells area having the keyboard; the toolbar's buttons and fields keep their keys.
    if (!this.session || this.inEditMode() || !this.cells.contains(target) || target.closest('input, textarea, select, button, a')) return;
    const { command, pending } = commandModeKey(pressOf(event), this.pendingKey);
    this.pendingKey = pending;
    if (!command && !pending) return;
    event.preventDefault();
    if (command) this.onCommand(command);
  }

  private onEditorCommand(cellId: CellId, command: EditorKeyCommand): void {
    this.select(cellId);
    if (command === 'command-mode') this.commandMode();
    else this.runCells([cellId], command === 'run' ? 'stay' : command === 'run-and-advance' ? 'advance' : 'insert');
  }

  private onCommand(command: NotebookCommand): void {
    const session = this.session;
    if (!session) return;
    switch (command) {
      case 'run':
        return this.runCells(this.selectedIds(), 'stay');
      case 'run-and-advance':
        return this.runCells(this.selectedIds(), 'advance');
      case 'run-and-insert':
        return this.runCells(this.selectedIds(), 'insert');
      case 'edit':
        return this.editCursor();
      case 'insert-above':
        return this.insert('code', 'above', false);
      case 'insert-below':
        return this.insert('code', 'below', false);
      case 'delete':
        return this.deleteSelected();
      case 'to-markdown':
      case 'to-code':
        return this.setKind(this.selectedIds(), command === 'to-code' ? 'code' : 'markdown');
      case 'select-previous':
      case 'select-next':
      case 'extend-previous':
      case 'extend-next': {
        const delta = command.endsWith('previous') ? -1 : 1;
        this.selection = moveSelection(session.doc, this.selection, delta, command.startsWith('extend'));
        return this.renderSelection();
      }
      case 'interrupt':
        return this.interrupt();
      case 'restart':
        return this.restart();
      case 'save':
        return this.save();
    }
  }

  private onCellAction(cellId: CellId, action: CellAction): void {
    const session = this.session;
    if (!session) return;
    this.select(cellId);
    switch (action) {
      case 'run':
        return this.runCells([cellId], 'stay');
      case 'move-up':
      case 'move-down': {
        const to = cellIndex(session.doc, cellId) + (action === 'move-up' ? -1 : 1);
        if (to >= 0 && to < session.doc.cells.length) session.store.update((doc) => moveCell(doc, cellId, to));
        return;
      }
      case 'duplicate': {
        const { doc, copy } = duplicateCell(session.doc, cellId);
        session.store.update(() => doc);
        return this.select(copy.id);
      }
      case 'delete':
        return this.deleteSelected();
      case 'to-code':
      case 'to-markdown':
        return this.setKind([cellId], action === 'to-code' ? 'code' : 'markdown');
    }
  }

  /** Runs cells (a Markdown cell's run shows its rendering), then moves the selection as asked. */
  private runCells(ids: readonly CellId[], after: AfterRun): void {
    const session = this.session;
    if (!session || ids.length === 0) return;
    const editing = this.inEditMode();
    for (const id of ids) if (this.views.get(id)?.kind === 'markdown') this.views.get(id)!.leaveEdit();
    this.attempt(session.execute(ids));
    const last = ids[ids.length - 1]!;
    const next = session.doc.cells[cellIndex(session.doc, last) + 1];
    if (after === 'advance' && next) {
      this.select(next.id);
      this.commandMode();
    } else if (after === 'advance' || after === 'insert') {
      this.select(last);
      this.insert('code', 'below', true);
    } else if (!editing || this.views.get(last)?.kind === 'markdown') {
      this.commandMode();
    }
  }

  private runAbove(): void {
    const session = this.session;
    const cursor = this.selection.cursor;
    if (!session || cursor === null) return;
    this.runCells(session.doc.cells.slice(0, cellIndex(session.doc, cursor)).map((c) => c.id), 'stay');
  }

  private insert(kind: CellKind, where: 'above' | 'below', edit: boolean): void {
    const session = this.session;
    if (!session) return;
    const cursor = this.selection.cursor;
    const at = cursor === null ? session.doc.cells.length : cellIndex(session.doc, cursor) + (where === 'below' ? 1 : 0);
    const cell = createCell(session.doc, kind);
    session.store.update((doc) => insertCell(doc, cell, Math.max(0, Math.min(at, doc.cells.length))));
    this.select(cell.id);
    if (edit) this.editCursor();
    else this.commandMode();
  }

  /** Deletes the selected cells; a notebook is never left without a cell to type in. */
  private deleteSelected(): void {
    const session = this.session;
    const ids = this.selectedIds();
    if (!session || ids.length === 0) return;
    const formerIndex = cellIndex(session.doc, ids[0]!);
    session.store.update((doc) => {
      const rest = ids.reduce(removeCell, doc);
      return rest.cells.length ? rest : insertCell(rest, createCell(rest, 'code'));
    });
    this.selection = repairSelection(session.doc, this.selection, formerIndex);
    this.renderSelection();
    this.commandMode();
  }

  private setKind(ids: readonly CellId[], kind: CellKind): void {
    this.session?.store.update((doc) => ids.reduce((d, id) => setCellKind(d, id, kind), doc));
    this.renderSelection();
    this.commandMode();
  }

  private save(): void {
    const session = this.session;
    if (session) this.attempt(session.save());
  }

  private interrupt(): void {
    this.attempt(this.client.call('cells.interrupt', {}));
  }

  private restart(): void {
    this.attempt(this.client.call('kernel.restart', {}));
  }

  /** Shows the cell that made a run (asked by the runs view), opening its notebook if another is shown. */
  private async revealCell(notebook: string, cellId: CellId): Promise<void> {
    if (this.session?.path !== notebook) {
      try {
        await this.session?.flush();
        this.show(await this.client.call('notebooks.open', { path: notebook }));
      } catch (err) {
        return this.inform(`Could not open ${notebook}: ${describeError(err)}`, true);
      }
    }
    const view = this.views.get(cellId);
    if (!view) return this.inform(`The notebook has no cell ${cellId} any more.`, true);
    this.select(cellId);
    this.commandMode();
    view.element.scrollIntoView({ block: 'center' });
  }

  private async refreshKernel(): Promise<void> {
    try {
      this.toolbar.showKernel((await this.client.call('system.info', {})).kernel.status);
    } catch (err) {
      this.inform(describeError(err), true);
    }
  }

  private showFile(): void {
    const s = this.session;
    this.toolbar.showFile(s ? { title: s.doc.title, path: s.path, dirty: s.dirty, savedMs: s.savedMs } : null);
  }

  private inform(text: string, error = false): void {
    this.message.textContent = text;
    this.message.className = `message${error ? ' error' : ''}`;
    this.message.hidden = text === '';
  }

  /** Runs an action, showing its failure under the toolbar. */
  private attempt(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.inform(describeError(err), true));
  }
}

function pressOf(event: KeyboardEvent): KeyPress {
  return { key: event.key, ctrl: event.ctrlKey, meta: event.metaKey, shift: event.shiftKey, alt: event.altKey };
}
