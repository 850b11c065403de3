// The notebook's header and toolbar: the title (editable), the file's path and whether it holds every
// edit, the File menu (new, open, save, save as, .ipynb import and export), cell insertion, the run
// commands, interrupt and restart, and the kernel's busy/idle state. Renderer process.
import type { KernelStatus } from '../../engine/api/schemas';
import { element, setChildren } from '../dom/element';

export interface ToolbarActions {
  newNotebook(): void;
  open(): void;
  save(): void;
  saveAs(): void;
  importIpynb(): void;
  exportIpynb(): void;
  rename(title: string): void;
  addCode(): void;
  addMarkdown(): void;
  runSelected(): void;
  runAbove(): void;
  runAll(): void;
  interrupt(): void;
  restart(): void;
}

function button(label: string, testId: string, title: string, onClick: () => void, className = 'small'): HTMLButtonElement {
  const b = element('button', { className, testId, title, attrs: { type: 'button' } }, [label]);
  b.addEventListener('click', onClick);
  return b;
}

export class NotebookToolbar {
  readonly element: HTMLElement;
  private readonly title = element('input', { className: 'notebook-title', testId: 'notebook-title', attrs: { type: 'text', 'aria-label': 'Notebook title', spellcheck: 'false' } });
  private readonly path = element('bdi', { testId: 'notebook-path' });
  private readonly saveState = element('span', { className: 'save-state', testId: 'notebook-dirty' });
  private readonly kernel = element('span', { className: 'kernel', testId: 'notebook-kernel' });
  private readonly menu: HTMLDetailsElement;
  private readonly needsNotebook: HTMLButtonElement[];

  constructor(actions: ToolbarActions) {
    this.title.addEventListener('change', () => actions.rename(this.title.value.trim() || 'Untitled'));
    this.title.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.title.blur();
    });
    const item = (label: string, testId: string, title: string, act: () => void) =>
      button(
        label,
        testId,
        title,
        () => {
          this.menu.open = false;
          act();
        },
        'menu-item',
      );
    const save = item('Save', 'file-save', 'Write the file now (Ctrl+S); edits are also saved within 2 s', actions.save);
    const saveAs = item('Save as…', 'file-save-as', 'Write the notebook to another file and continue there', actions.saveAs);
    const exportIpynb = item('Export .ipynb…', 'file-export', 'Write the notebook with its outputs for Jupyter', actions.exportIpynb);
    this.menu = element('details', { className: 'menu', testId: 'file-menu' }, [
      element('summary', { className: 'small', title: 'New, open, save, import and export notebooks' }, ['File']),
      element('div', { className: 'menu-items' }, [
        item('New…', 'file-new', 'Create an empty notebook', actions.newNotebook),
        item('Open…', 'file-open', 'Open a notebook by path, or a recent one', actions.open),
        save,
        saveAs,
        element('hr'),
        item('Import .ipynb…', 'file-import', 'Convert a Jupyter notebook (its outputs come along, untrusted)', actions.importIpynb),
        exportIpynb,
      ]),
    ]);
    const run = button('▶ Run', 'run-selected', 'Run the selected cells (Ctrl+Enter; Shift+Enter runs and moves on)', actions.runSelected);
    const runAbove = button('Run above', 'run-above', 'Run every cell above the selected one', actions.runAbove);
    const runAll = button('Run all', 'run-all', 'Run every cell from the top', actions.runAll);
    const addCode = button('+ Code', 'add-code', 'Insert a code cell below (B)', actions.addCode);
    const addMarkdown = button('+ Markdown', 'add-markdown', 'Insert a Markdown cell below', actions.addMarkdown);
    this.needsNotebook = [save, saveAs, exportIpynb, run, runAbove, runAll, addCode, addMarkdown];
    this.element = element('div', { className: 'notebook-bar' }, [
      element('header', { className: 'panel-header notebook-header' }, [
        element('h2', {}, ['Notebook']),
        element('div', { className: 'notebook-file' }, [this.title, element('div', { className: 'notebook-file-line' }, [
            this.saveState,
            // Right to left, so that a long path loses its beginning rather than the file's name.
            element('span', { className: 'notebook-path muted', attrs: { dir: 'rtl' } }, [this.path]),
          ])]),
        this.menu,
      ]),
      element('div', { className: 'notebook-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Notebook' } }, [
        addCode,
        addMarkdown,
        element('span', { className: 'toolbar-gap' }),
        run,
        runAbove,
        runAll,
        element('span', { className: 'toolbar-gap' }),
        button('■ Interrupt', 'interrupt', 'Stop the running cell and its runs (I I)', actions.interrupt),
        button('↻ Restart', 'restart', 'Restart the kernel: its variables are lost (0 0)', actions.restart),
        element('span', { className: 'spacer' }),
        this.kernel,
      ]),
    ]);
    this.showFile(null);
    this.showKernel('starting');
  }

  /** The open notebook's file, or none. */
  showFile(file: { title: string; path: string; dirty: boolean; savedMs: number | null } | null): void {
    for (const b of this.needsNotebook) b.disabled = file === null;
    this.title.disabled = file === null;
    if (document.activeElement !== this.title) this.title.value = file?.title ?? '';
    this.path.textContent = file?.path ?? 'no notebook open';
    this.path.title = file?.path ?? '';
    this.saveState.className = `save-state ${file?.dirty ? 'dirty' : 'clean'}`;
    this.saveState.textContent = file === null ? '' : file.dirty ? '● unsaved' : 'saved';
    this.saveState.title =
      file === null ? '' : file.dirty ? 'Edits not yet in the file (a crash-safe draft is kept; the file follows within 2 s)' : file.savedMs ? `written ${new Date(file.savedMs).toLocaleString()}` : '';
  }

  showKernel(status: KernelStatus): void {
    this.kernel.className = `kernel kernel-${status}`;
    this.kernel.title = status === 'busy' ? 'The kernel is running cells or runs' : `The kernel is ${status}`;
    setChildren(this.kernel, [element('span', { className: 'dot' }), status]);
  }
}
