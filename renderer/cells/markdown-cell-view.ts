// A Markdown cell: its sanitised rendering, and a monaco Markdown editor in its place while it is
// edited (double-click or Enter; running it or Escape renders it again). Renderer process.
import { describeError } from '../api/lab-call-error';
import { element } from '../dom/element';
import { mountCodeEditor, type CodeEditor } from '../editor/code-editor';
import { findCell, updateCellSource, type Cell } from '../notebook/notebook-document';
import { safeMarkdown } from '../outputs/safe-html';
import { cellToolbar, type CellHost, type CellView } from './cell-view';

export class MarkdownCellView implements CellView {
  readonly kind = 'markdown' as const;
  readonly id: Cell['id'];
  readonly element: HTMLElement;
  private readonly rendered = element('div', { className: 'markdown-body', testId: 'markdown-rendered' });
  private readonly editorHost = element('div', { className: 'editor-host markdown-editor' });
  private editor: Promise<CodeEditor> | null = null;
  private disposed = false;

  constructor(
    cell: Cell,
    private readonly host: CellHost,
  ) {
    this.id = cell.id;
    this.editorHost.hidden = true;
    this.element = element('article', { className: 'cell markdown-cell', testId: 'markdown-cell', attrs: { 'data-cell-id': cell.id } }, [
      element('div', { className: 'cell-gutter' }),
      element('div', { className: 'cell-main' }, [cellToolbar(host, cell.id, 'markdown'), element('div', { className: 'cell-body' }, [this.rendered, this.editorHost])]),
    ]);
    this.element.addEventListener('mousedown', (event) => {
      if (!(event.target as Element).closest('.monaco-editor, button, a')) host.cellClicked(cell.id, event);
    });
    this.rendered.addEventListener('dblclick', () => this.edit());
    this.render();
  }

  setSelected(selected: boolean, cursor: boolean): void {
    this.element.classList.toggle('selected', selected);
    this.element.classList.toggle('cursor', cursor);
  }

  edit(): void {
    this.rendered.hidden = true;
    this.editorHost.hidden = false;
    this.editor ??= this.mountEditor();
    void this.editor.then((editor) => editor.focus()).catch(() => undefined);
  }

  leaveEdit(): void {
    if (!this.editor) return;
    const closing = this.editor;
    this.editor = null;
    void closing.then((editor) => editor.dispose()).catch(() => undefined);
    this.editorHost.hidden = true;
    this.editorHost.replaceChildren();
    this.render();
  }

  runChanged(): void {
    // A Markdown cell has no runs: running it renders it (leaveEdit).
  }

  dispose(): void {
    this.disposed = true;
    void this.editor?.then((editor) => editor.dispose()).catch(() => undefined);
  }

  private source(): string {
    return findCell(this.host.session.doc, this.id)?.source ?? '';
  }

  private render(): void {
    const source = this.source();
    this.rendered.hidden = false;
    if (source.trim() === '') {
      this.rendered.replaceChildren(element('p', { className: 'muted' }, ['Empty Markdown cell: double-click to write.']));
    } else {
      this.rendered.replaceChildren(safeMarkdown(source));
    }
  }

  private async mountEditor(): Promise<CodeEditor> {
    this.editorHost.textContent = 'Loading editor…';
    try {
      const editor = await mountCodeEditor(this.editorHost, {
        name: this.host.editorName(this.id),
        source: this.source(),
        language: 'markdown',
        onChange: (source) => this.host.session.store.update((doc) => updateCellSource(doc, this.id, source)),
        onCommand: (command) => this.host.editorCommand(this.id, command),
        onFocus: () => this.host.editorFocused(this.id),
      });
      if (this.disposed) editor.dispose();
      return editor;
    } catch (err) {
      this.editorHost.textContent = `The editor failed to load: ${describeError(err)}`;
      throw err;
    }
  }
}
