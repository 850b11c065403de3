// The notebook area: a view per cell of the open notebook, in document order. Cells are only edited
// in place for now; adding, moving and running them comes with the kernel's cell execution.
// Renderer process.
import { element } from '../dom/element';
import type { NotebookStore } from '../notebook/notebook-store';
import { CodeCellView } from './code-cell-view';

export class NotebookView {
  readonly element: HTMLElement;

  constructor(store: NotebookStore) {
    const doc = store.doc;
    const cells = doc.cells.map((cell, i) => {
      if (cell.kind !== 'code') throw new Error(`cells of kind ${cell.kind} have no view yet`);
      return new CodeCellView(cell, i, store).element;
    });
    this.element = element('section', { className: 'notebook', testId: 'notebook' }, [
      element('header', { className: 'panel-header' }, [
        element('h2', {}, ['Notebook']),
        element('span', { className: 'notebook-title', testId: 'notebook-title' }, [doc.title]),
      ]),
      element('div', { className: 'cells' }, cells),
    ]);
  }
}
