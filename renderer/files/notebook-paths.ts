// Notebook file paths as the renderer handles them (it has no node:path, and the paths are the lab
// service's, in its OS's form): which notebook to open at start, default names for new, saved-as and
// exported files. Pure. Renderer process.
import type { RecentNotebook } from '../../engine/api/notebook';

export const NOTEBOOK_EXTENSION = '.engram.md';
/** The demo notebook's file in the default notebooks folder. */
export const DEMO_FILE_NAME = `capacity-of-memories${NOTEBOOK_EXTENSION}`;

/** A service path's separator: backslash for a Windows path (`C:\…` with no slash), else slash. */
function separatorOf(path: string): '/' | '\\' {
  return path.includes('\\') && !path.includes('/') ? '\\' : '/';
}

export function joinPath(dir: string, name: string): string {
  const sep = separatorOf(dir);
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

export function dirName(path: string): string {
  const at = path.lastIndexOf(separatorOf(path));
  return at <= 0 ? path.slice(0, at + 1) : path.slice(0, at);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf(separatorOf(path)) + 1);
}

/**
 * What to open at start: the recent notebooks, most recent first (the first whose file still exists
 * opens); with none of them (first start), the demo, made at `demo` in the default notebooks folder.
 */
export function startupPlan(recent: readonly RecentNotebook[], notebooksDir: string): { readonly open: string[]; readonly demo: string } {
  return {
    open: [...recent].sort((a, b) => b.openedMs - a.openedMs).map((r) => r.path),
    demo: joinPath(notebooksDir, DEMO_FILE_NAME),
  };
}

/** `Untitled.engram.md`, or `Untitled-2.engram.md`… the first name in `dir` not among `taken`. */
export function untitledPath(dir: string, taken: readonly string[]): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) {
    const path = joinPath(dir, `Untitled${n === 1 ? '' : `-${n}`}${NOTEBOOK_EXTENSION}`);
    if (!used.has(path)) return path;
  }
}

/** A path given without the notebook extension gets it (`runs` → `runs.engram.md`). */
export function withNotebookExtension(path: string): string {
  const trimmed = path.trim();
  return /\.engram\.md$|\.md$/.test(trimmed) ? trimmed : `${trimmed}${NOTEBOOK_EXTENSION}`;
}

/** The .ipynb beside a notebook: `a/b.engram.md` → `a/b.ipynb`. */
export function ipynbPathFor(notebookPath: string): string {
  return `${notebookPath.replace(/\.engram\.md$|\.md$/, '')}.ipynb`;
}

/** The native notebook an imported .ipynb becomes: `a/b.ipynb` → `a/b.engram.md`. */
export function importedPathFor(ipynbPath: string): string {
  return `${ipynbPath.trim().replace(/\.ipynb$/, '')}${NOTEBOOK_EXTENSION}`;
}
