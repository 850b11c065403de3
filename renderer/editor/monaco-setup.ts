// Monaco as the notebook uses it: TypeScript and Markdown, the TypeScript service set up for cells
// (`lab` and `tf` typings, diagnostics that do not apply to cells) and both workers as same-origin files
// (no blob: workers under the CSP). Imported lazily by code-editor.ts. Renderer process.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/markdown/register';
import 'monaco-editor/languages/definitions/typescript/register';
import { ModuleKind, ModuleResolutionKind, ScriptTarget, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import labTypesSource from '../../engine/kernel/lab-types.ts?raw';
import {
  LAB_TYPINGS_PATH,
  labGlobalTypings,
  NOTEBOOK_IGNORED_DIAGNOSTICS,
  TF_GLOBAL_PATH,
  TF_GLOBAL_TYPINGS,
  TFJS_TYPINGS_URL,
} from './lab-typings';

self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) =>
    label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker(),
};

// Cells run in the kernel, a Node process: ES2022 without the DOM library. Each cell is a script, not a
// module, so a later cell sees what an earlier one declared, as in a notebook. Node module resolution
// finds the tfjs typings under file:///node_modules/.
typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  lib: ['es2022'],
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
});
typescriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: false,
  noSyntaxValidation: false,
  diagnosticCodesToIgnore: [...NOTEBOOK_IGNORED_DIAGNOSTICS],
});
typescriptDefaults.setEagerModelSync(true);

const labLib = { content: labGlobalTypings(labTypesSource), filePath: LAB_TYPINGS_PATH };
// `tf` is `any` until its typings (about a megabyte) arrive, so that cells using it are not flagged meanwhile.
typescriptDefaults.setExtraLibs([labLib, { content: 'declare const tf: any;\n', filePath: TF_GLOBAL_PATH }]);

async function loadTfjsTypings(): Promise<void> {
  const response = await fetch(new URL(TFJS_TYPINGS_URL, document.baseURI));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const { files } = (await response.json()) as { files: Record<string, string> };
  const tfLibs = Object.entries(files).map(([path, content]) => ({ content, filePath: `file:///${path}` }));
  typescriptDefaults.setExtraLibs([labLib, { content: TF_GLOBAL_TYPINGS, filePath: TF_GLOBAL_PATH }, ...tfLibs]);
}
loadTfjsTypings().catch((err: unknown) => console.warn(`the editor has no tfjs typings (${TFJS_TYPINGS_URL}: ${String(err)}); tf stays untyped`));

export { monaco };
