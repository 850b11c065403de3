// Which cells are selected: a cursor cell and the anchor a Shift-extended selection started from, the
// cells between them (inclusive) being the selection. Pure; no DOM. Renderer process.
import type { CellId, NotebookDocument } from './notebook-document';

export interface CellSelection {
  readonly anchor: CellId | null;
  readonly cursor: CellId | null;
}

export const NO_SELECTION: CellSelection = { anchor: null, cursor: null };

export function selectOnly(id: CellId): CellSelection {
  return { anchor: id, cursor: id };
}

/** The selected cells in document order (none when the cursor is not in the document). */
export function selectedIds(doc: NotebookDocument, selection: CellSelection): CellId[] {
  const ids = doc.cells.map((c) => c.id);
  const cursor = selection.cursor === null ? -1 : ids.indexOf(selection.cursor);
  if (cursor < 0) return [];
  const anchor = selection.anchor === null ? -1 : ids.indexOf(selection.anchor);
  const from = Math.min(cursor, anchor < 0 ? cursor : anchor);
  const to = Math.max(cursor, anchor < 0 ? cursor : anchor);
  return ids.slice(from, to + 1);
}

/** Moves the cursor by `delta` cells, stopping at the ends; `extend` keeps the anchor (Shift). */
export function moveSelection(doc: NotebookDocument, selection: CellSelection, delta: number, extend: boolean): CellSelection {
  const ids = doc.cells.map((c) => c.id);
  if (ids.length === 0) return NO_SELECTION;
  const at = selection.cursor === null ? -1 : ids.indexOf(selection.cursor);
  const next = ids[at < 0 ? 0 : Math.min(ids.length - 1, Math.max(0, at + delta))]!;
  return extend && selection.anchor !== null && ids.includes(selection.anchor) ? { anchor: selection.anchor, cursor: next } : selectOnly(next);
}

/**
 * A selection that still points into the document after cells were removed: the cell now at the
 * cursor's old position (or the last one), alone.
 */
export function repairSelection(doc: NotebookDocument, selection: CellSelection, formerIndex: number): CellSelection {
  if (selection.cursor !== null && doc.cells.some((c) => c.id === selection.cursor)) {
    return selection.anchor !== null && doc.cells.some((c) => c.id === selection.anchor) ? selection : selectOnly(selection.cursor);
  }
  const cell = doc.cells[Math.min(Math.max(0, formerIndex), doc.cells.length - 1)];
  return cell ? selectOnly(cell.id) : NO_SELECTION;
}
