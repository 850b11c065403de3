// A monaco editor for one cell (TypeScript or Markdown): grows with its content, reports edits and
// problems, hands the notebook its keys (Shift/Ctrl/Alt+Enter, Escape) and marks an error's line.
// Loads monaco on first use. Renderer process.
import type { editor as MonacoEditor } from 'monaco-editor/editor';

export interface EditorProblem {
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** What the notebook does with the keys an editor hands it. */
export type EditorKeyCommand = 'run' | 'run-and-advance' | 'run-and-insert' | 'command-mode';

export interface CodeEditorOptions {
  /** Names the editor's model (`file:///notebook/<name>.ts`): unique among open cells. */
  readonly name: string;
  readonly source: string;
  readonly language: 'typescript' | 'markdown';
  readonly onChange: (source: string) => void;
  readonly onProblems?: (problems: readonly EditorProblem[]) => void;
  readonly onCommand: (command: EditorKeyCommand) => void;
  readonly onFocus: () => void;
}

export interface CodeEditor {
  focus(): void;
  hasFocus(): boolean;
  /** Scrolls to a line and puts the cursor there. */
  revealLine(line: number, column?: number): void;
  /** Marks the line an error was raised at (null clears it; so does the next edit). */
  markErrorLine(line: number | null): void;
  dispose(): void;
}

const MIN_HEIGHT_PX = 38;
const MAX_HEIGHT_PX = 640;
/** No suggestion, parameter hint, find or rename box is open: Escape and Shift+Enter are the notebook's. */
const NO_WIDGET = '!suggestWidgetVisible && !parameterHintsVisible && !findWidgetVisible && !renameInputVisible && !inSnippetMode';

export async function mountCodeEditor(host: HTMLElement, options: CodeEditorOptions): Promise<CodeEditor> {
  const { monaco } = await import('./monaco-setup');
  const extension = options.language === 'typescript' ? 'ts' : 'md';
  const uri = monaco.Uri.parse(`file:///notebook/${options.name}.${extension}`);
  const model = monaco.editor.createModel(options.source, options.language, uri);
  host.replaceChildren();
  const editor = monaco.editor.create(host, {
    model,
    theme: 'vs',
    fontSize: 13,
    lineHeight: 19,
    fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    scrollbar: { alwaysConsumeMouseWheel: false, verticalScrollbarSize: 10, vertical: 'auto' },
    overviewRulerLanes: 0,
    renderLineHighlight: 'none',
    lineNumbers: options.language === 'typescript' ? 'on' : 'off',
    lineNumbersMinChars: 3,
    folding: false,
    glyphMargin: false,
    tabSize: 2,
    wordWrap: 'on',
    automaticLayout: true,
    fixedOverflowWidgets: true,
    padding: { top: 6, bottom: 6 },
    ariaLabel: options.language === 'typescript' ? 'TypeScript cell' : 'Markdown cell',
    // Prose needs no word completion, which would also hold Shift+Enter for itself.
    ...(options.language === 'markdown' ? { quickSuggestions: false, wordBasedSuggestions: 'off' as const } : {}),
  });

  const fitHeight = () => {
    const height = Math.min(MAX_HEIGHT_PX, Math.max(MIN_HEIGHT_PX, editor.getContentHeight()));
    host.style.height = `${height}px`;
  };
  fitHeight();

  const { KeyCode, KeyMod } = monaco;
  const keys: [string, number, EditorKeyCommand, string | undefined][] = [
    ['engram.runAndAdvance', KeyMod.Shift | KeyCode.Enter, 'run-and-advance', NO_WIDGET],
    ['engram.run', KeyMod.CtrlCmd | KeyCode.Enter, 'run', undefined],
    ['engram.runAndInsert', KeyMod.Alt | KeyCode.Enter, 'run-and-insert', undefined],
    ['engram.commandMode', KeyCode.Escape, 'command-mode', NO_WIDGET],
  ];
  for (const [id, keybinding, command, precondition] of keys) {
    editor.addAction({ id, label: id, keybindings: [keybinding], ...(precondition ? { precondition } : {}), run: () => options.onCommand(command) });
  }

  const errorLine = editor.createDecorationsCollection();
  const markErrorLine = (line: number | null) => {
    errorLine.set(
      line === null || line > model.getLineCount()
        ? []
        : [{ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'cell-error-line', linesDecorationsClassName: 'cell-error-mark' } }],
    );
  };

  const { Error: ERROR, Warning: WARNING } = monaco.MarkerSeverity;
  const toProblem = (m: MonacoEditor.IMarker): EditorProblem => ({
    line: m.startLineNumber,
    column: m.startColumn,
    severity: m.severity === ERROR ? 'error' : m.severity === WARNING ? 'warning' : 'info',
    message: m.message,
  });

  const subscriptions = [
    editor.onDidContentSizeChange(fitHeight),
    editor.onDidFocusEditorText(() => options.onFocus()),
    model.onDidChangeContent(() => {
      markErrorLine(null);
      options.onChange(model.getValue());
    }),
    monaco.editor.onDidChangeMarkers((uris) => {
      if (options.onProblems && uris.some((u) => u.toString() === uri.toString())) {
        options.onProblems(monaco.editor.getModelMarkers({ resource: uri }).map(toProblem));
      }
    }),
  ];

  return {
    focus: () => editor.focus(),
    hasFocus: () => editor.hasTextFocus(),
    revealLine(line, column = 1) {
      editor.revealLineInCenterIfOutsideViewport(line);
      editor.setPosition({ lineNumber: line, column });
      editor.focus();
    },
    markErrorLine,
    dispose() {
      for (const s of subscriptions) s.dispose();
      editor.dispose();
      model.dispose();
    },
  };
}
