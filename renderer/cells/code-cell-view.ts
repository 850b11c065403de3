// A code cell: its monaco editor, and the problems the TypeScript service finds in it. Edits go to the
// notebook store; the cell's id stays on the element for tests and for the outputs to come.
// Renderer process.
import { describeError } from '../api/lab-call-error';
import { element, setChildren } from '../dom/element';
import { mountCodeEditor, type EditorProblem } from '../editor/code-editor';
import { updateCellSource, type Cell } from '../notebook/notebook-document';
import type { NotebookStore } from '../notebook/notebook-store';

/** Problems listed under a cell; the rest are counted. */
const MAX_LISTED_PROBLEMS = 5;

export class CodeCellView {
  readonly element: HTMLElement;
  private readonly editorHost = element('div', { className: 'editor-host', testId: 'cell-editor' });
  private readonly problems = element('ul', { className: 'cell-problems', testId: 'cell-problems' });

  constructor(cell: Cell, index: number, store: NotebookStore) {
    this.problems.hidden = true;
    this.element = element('article', { className: 'cell code-cell', testId: 'code-cell', attrs: { 'data-cell-id': cell.id } }, [
      element('div', { className: 'cell-gutter', title: `cell ${cell.id}` }, [`[${index + 1}]`]),
      element('div', { className: 'cell-body' }, [this.editorHost, this.problems]),
    ]);
    this.editorHost.textContent = 'Loading editor…';
    mountCodeEditor(this.editorHost, {
      name: `cell-${cell.id}`,
      source: cell.source,
      language: 'typescript',
      onChange: (source) => store.update((doc) => updateCellSource(doc, cell.id, source)),
      onProblems: (problems) => this.showProblems(problems),
    }).catch((err: unknown) => {
      this.editorHost.textContent = `The editor failed to load: ${describeError(err)}`;
    });
  }

  private showProblems(problems: readonly EditorProblem[]): void {
    const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
    const listed = sorted.slice(0, MAX_LISTED_PROBLEMS).map((p) =>
      element('li', { className: `problem problem-${p.severity}`, testId: 'cell-problem' }, [
        element('span', { className: 'where' }, [`${p.line}:${p.column}`]),
        p.message,
      ]),
    );
    const more = sorted.length - listed.length;
    setChildren(this.problems, [...listed, more > 0 ? element('li', { className: 'muted' }, [`and ${more} more`]) : null]);
    this.problems.hidden = sorted.length === 0;
  }
}
