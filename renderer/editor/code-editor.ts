// A monaco editor for one notebook cell: grows with its content, reports edits and the TypeScript
// language service's problems. Loads monaco on first use. Renderer process.
import type { editor as MonacoEditor } from 'monaco-editor/editor';

export interface EditorProblem {
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export interface CodeEditorOptions {
  /** Names the editor's model (`file:///notebook/<name>.ts`): unique per cell. */
  readonly name: string;
  readonly source: string;
  readonly language: 'typescript';
  readonly onChange: (source: string) => void;
  readonly onProblems: (problems: readonly EditorProblem[]) => void;
}

const MIN_HEIGHT_PX = 96;
const MAX_HEIGHT_PX = 640;

export async function mountCodeEditor(host: HTMLElement, options: CodeEditorOptions): Promise<void> {
  const { monaco } = await import('./monaco-setup');
  const uri = monaco.Uri.parse(`file:///notebook/${options.name}.ts`);
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
    scrollbar: { alwaysConsumeMouseWheel: false, verticalScrollbarSize: 10 },
    overviewRulerLanes: 0,
    renderLineHighlight: 'line',
    tabSize: 2,
    wordWrap: 'on',
    automaticLayout: true,
    fixedOverflowWidgets: true,
    padding: { top: 6, bottom: 6 },
  });

  const fitHeight = () => {
    const height = Math.min(MAX_HEIGHT_PX, Math.max(MIN_HEIGHT_PX, editor.getContentHeight()));
    host.style.height = `${height}px`;
  };
  fitHeight();

  const { Error: ERROR, Warning: WARNING } = monaco.MarkerSeverity;
  const toProblem = (m: MonacoEditor.IMarker): EditorProblem => ({
    line: m.startLineNumber,
    column: m.startColumn,
    severity: m.severity === ERROR ? 'error' : m.severity === WARNING ? 'warning' : 'info',
    message: m.message,
  });

  editor.onDidContentSizeChange(fitHeight);
  model.onDidChangeContent(() => options.onChange(model.getValue()));
  monaco.editor.onDidChangeMarkers((uris) => {
    if (uris.some((u) => u.toString() === uri.toString())) {
      options.onProblems(monaco.editor.getModelMarkers({ resource: uri }).map(toProblem));
    }
  });
}
