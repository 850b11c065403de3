// A code cell: its execution count, its monaco editor (TypeScript, checked against the `lab` and `tf`
// typings), the problems the language service finds, how its last run ended, and its outputs — marked
// stale once the source changed since they were made. Renderer process.
import { describeError } from '../api/lab-call-error';
import { element, setChildren } from '../dom/element';
import { mountCodeEditor, type CodeEditor, type EditorProblem } from '../editor/code-editor';
import { errorLine, executionLabel, isStale, type CellRun } from '../notebook/cell-runs';
import { updateCellSource, type Cell } from '../notebook/notebook-document';
import { sourceHash } from '../notebook/source-hash';
import { OutputArea } from '../outputs/output-area';
import { cellToolbar, type CellHost, type CellView } from './cell-view';

/** Problems listed under a cell; the rest are counted. */
const MAX_LISTED_PROBLEMS = 5;

export class CodeCellView implements CellView {
  readonly kind = 'code' as const;
  readonly id: Cell['id'];
  readonly element: HTMLElement;
  private readonly gutter = element('div', { className: 'cell-gutter', testId: 'cell-count' });
  private readonly editorHost = element('div', { className: 'editor-host', testId: 'cell-editor' });
  private readonly problems = element('ul', { className: 'cell-problems', testId: 'cell-problems' });
  private readonly status = element('div', { className: 'cell-status', testId: 'cell-status' });
  private readonly outputs: OutputArea;
  private editor: CodeEditor | null = null;
  private editWanted = false;
  private disposed = false;
  private run: CellRun;
  private currentHash: string;

  constructor(
    cell: Cell,
    private readonly host: CellHost,
  ) {
    this.id = cell.id;
    this.currentHash = sourceHash(cell.source);
    this.run = host.session.runOf(cell.id);
    this.outputs = new OutputArea({ client: host.client, onCellLine: (line, column) => this.editor?.revealLine(line, column) });
    this.problems.hidden = true;
    this.element = element('article', { className: 'cell code-cell', testId: 'code-cell', attrs: { 'data-cell-id': cell.id } }, [
      this.gutter,
      element('div', { className: 'cell-main' }, [
        cellToolbar(host, cell.id, 'code'),
        element('div', { className: 'cell-body' }, [this.editorHost, this.problems]),
        this.status,
        this.outputs.element,
      ]),
    ]);
    this.element.addEventListener('mousedown', (event) => {
      if (!(event.target as Element).closest('.monaco-editor, button, a, .plot')) host.cellClicked(cell.id, event);
    });
    this.editorHost.textContent = 'Loading editor…';
    mountCodeEditor(this.editorHost, {
      name: host.editorName(cell.id),
      source: cell.source,
      language: 'typescript',
      onChange: (source) => this.sourceChanged(source),
      onProblems: (problems) => this.showProblems(problems),
      onCommand: (command) => host.editorCommand(cell.id, command),
      onFocus: () => host.editorFocused(cell.id),
    })
      .then((editor) => {
        if (this.disposed) return editor.dispose();
        this.editor = editor;
        editor.markErrorLine(errorLine(this.run));
        if (this.editWanted) editor.focus();
      })
      .catch((err: unknown) => {
        this.editorHost.textContent = `The editor failed to load: ${describeError(err)}`;
      });
    this.runChanged(this.run);
  }

  setSelected(selected: boolean, cursor: boolean): void {
    this.element.classList.toggle('selected', selected);
    this.element.classList.toggle('cursor', cursor);
  }

  edit(): void {
    this.editWanted = true;
    this.editor?.focus();
  }

  leaveEdit(): void {
    this.editWanted = false;
  }

  runChanged(run: CellRun): void {
    const errorBefore = errorLine(this.run);
    this.run = run;
    this.gutter.textContent = executionLabel(run);
    this.element.classList.toggle('running', run.running);
    this.element.classList.toggle('queued', !run.running && run.queued > 0);
    const status = run.running ? 'running' : run.queued > 0 ? 'queued' : run.ended === 'ok' ? null : run.ended;
    this.status.textContent = status ?? '';
    this.status.className = `cell-status${status ? ` cell-status-${status}` : ''}`;
    this.status.hidden = status === null;
    this.outputs.update(run.outputs, run.trusted, isStale(run, this.currentHash));
    const line = errorLine(run);
    if (line !== errorBefore) this.editor?.markErrorLine(line);
  }

  dispose(): void {
    this.disposed = true;
    this.editor?.dispose();
    this.outputs.dispose();
  }

  private sourceChanged(source: string): void {
    this.host.session.store.update((doc) => updateCellSource(doc, this.id, source));
    this.currentHash = sourceHash(source);
    this.outputs.update(this.run.outputs, this.run.trusted, isStale(this.run, this.currentHash));
  }

  private showProblems(problems: readonly EditorProblem[]): void {
    const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
    const listed = sorted.slice(0, MAX_LISTED_PROBLEMS).map((p) => {
      const where = element('button', { className: 'link where', title: 'Show in the editor' }, [`${p.line}:${p.column}`]);
      where.addEventListener('click', () => this.editor?.revealLine(p.line, p.column));
      return element('li', { className: `problem problem-${p.severity}`, testId: 'cell-problem' }, [where, p.message]);
    });
    const more = sorted.length - listed.length;
    setChildren(this.problems, [...listed, more > 0 ? element('li', { className: 'muted' }, [`and ${more} more`]) : null]);
    this.problems.hidden = sorted.length === 0;
  }
}
