// The typings cells are checked against: engine/kernel/lab-types.ts (as text) made global (`lab` a
// `const lab: Lab`, its interfaces global types), the global `tf`, the kernel's console and timers, and
// the diagnostics that do not apply to cells. Pure. Renderer process (editor).

/** Where the editor's TypeScript service finds the typings (monaco extra libs). */
export const LAB_TYPINGS_PATH = 'file:///engram/lab.d.ts';
export const TF_GLOBAL_PATH = 'file:///engram/tf.d.ts';

/** The tfjs typings asset the build emits (scripts/tfjs-typings.ts `TFJS_TYPINGS_ASSET`), relative to the page. */
export const TFJS_TYPINGS_URL = 'typings/tfjs.json';

/**
 * `tf` in a cell is the kernel's `@tensorflow/tfjs` (its .d.ts files come from the build, see
 * scripts/tfjs-typings.ts). The import type is spelt in two pieces so that the layer test's import
 * scanner does not take this text for an import of the renderer's own.
 */
export const TF_GLOBAL_TYPINGS = `/** TensorFlow.js, as the kernel loaded it (the backend is shown in the header). */\ndeclare const tf: typeof ${'import'}('@tensorflow/tfjs');\n`;

/**
 * What the kernel, a Node process, gives cells besides `lab` and `tf`: ES2022 has no console or timers
 * (they come with the DOM or Node typings, and cells get neither).
 */
export const KERNEL_GLOBAL_TYPINGS = `/** Writes to the cell's output (warn and error as stderr). */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
declare function setTimeout(handler: (...args: unknown[]) => void, delayMs?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(handler: (...args: unknown[]) => void, delayMs?: number): unknown;
declare function clearInterval(handle: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare const performance: { now(): number };
`;

/**
 * TypeScript diagnostics that are wrong about notebook cells. Each cell is a script in one TypeScript
 * project, so a cell sees what the others declare; the kernel, though, runs a cell's body in an async
 * function and turns its top-level declarations into assignments to kernel-wide names
 * (engine/kernel/compile-cell.ts). Hence:
 * - top-level await is allowed (1375, 1378; `for await`: 1431, 1432);
 * - declaring a name again — in another cell, or in the same cell run again after an edit — replaces
 *   it, as re-running a cell must (2451 block-scoped redeclaration, 2300 duplicate identifier,
 *   2393 duplicate function, 2403 a redeclared `var` of another type).
 */
export const NOTEBOOK_IGNORED_DIAGNOSTICS: readonly number[] = [1375, 1378, 1431, 1432, 2451, 2300, 2393, 2403];

const EXPORTED_DECLARATION = /^export\s+(?=(?:declare\s+)?(?:type|interface|const|let|function|class|enum|abstract|namespace)\b)/gm;

/**
 * lab-types.ts as a global script: its `export`s dropped (a file without imports or exports declares
 * globals), `lab` declared, and the kernel's other globals. Throws when the file stopped being self-contained, which would make
 * every cell's `lab` silently untyped.
 */
export function labGlobalTypings(labTypesSource: string): string {
  if (/^\s*import\s/m.test(labTypesSource)) throw new Error('lab-types.ts imports something; the editor needs it self-contained');
  const globals = labTypesSource.replace(EXPORTED_DECLARATION, '');
  const stray = /^\s*export\b.*$/m.exec(globals);
  if (stray) throw new Error(`lab-types.ts has an export the editor cannot make global: ${stray[0].trim()}`);
  if (!/^(?:declare\s+)?interface Lab\b/m.test(globals)) throw new Error('lab-types.ts declares no interface Lab');
  return `${globals.trimEnd()}\n\n/** The lab: train, evaluate and compare memory models from a cell. */\ndeclare const lab: Lab;\n\n${KERNEL_GLOBAL_TYPINGS}`;
}
