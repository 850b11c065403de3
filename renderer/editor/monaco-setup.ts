// Monaco as the notebook uses it: the editor with its features, TypeScript tokenising and language
// service, and both workers as same-origin files (the CSP allows no blob: workers). Imported lazily
// by code-editor.ts, so the app frame shows before monaco has loaded. Renderer process.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import { ModuleKind, ScriptTarget, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';

self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) =>
    label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker(),
};

// Cells run in the kernel, a Node process: ES2022 without the DOM library. Cells are scripts, not
// modules, so a later cell sees what an earlier one declared, as in a notebook.
typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  lib: ['es2022'],
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
});
typescriptDefaults.setEagerModelSync(true);

export { monaco };
