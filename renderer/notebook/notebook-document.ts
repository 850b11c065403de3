// The notebook as data: an ordered list of cells with stable ids, changed only through the pure
// functions below (each returns a new document). No DOM, so views, the kernel bridge and file
// (de)serialisation can all build on it. Renderer process.
import type { CellId, NotebookDoc } from '../../engine/api/notebook';

/** A cell's id (the contract's): stable across edits, moves and saves, so outputs and runs can point at it. */
export type { CellId };

export type CellKind = 'code' | 'markdown';

export interface Cell {
  readonly id: CellId;
  readonly kind: CellKind;
  readonly source: string;
}

export interface NotebookDocument {
  readonly title: string;
  readonly cells: readonly Cell[];
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 8;

/** Fills `bytes` with random values (crypto.getRandomValues by default; a seeded one in tests). */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;

const cryptoBytes: RandomBytes = (bytes) => crypto.getRandomValues(bytes);

/** A fresh id, unique among `taken`: short enough to read in a file, long enough never to collide in practice. */
export function newCellId(taken: Iterable<CellId> = [], random: RandomBytes = cryptoBytes): CellId {
  const used = new Set<string>(taken);
  for (;;) {
    const bytes = random(new Uint8Array(ID_LENGTH));
    const id = Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
    if (!used.has(id)) return id as CellId;
  }
}

export function createNotebook(title: string, cells: readonly Cell[] = []): NotebookDocument {
  assertUniqueIds(cells);
  return { title, cells: [...cells] };
}

export function createCell(doc: NotebookDocument, kind: CellKind, source = '', random?: RandomBytes): Cell {
  return { id: newCellId(doc.cells.map((c) => c.id), random), kind, source };
}

export function findCell(doc: NotebookDocument, id: CellId): Cell | undefined {
  return doc.cells.find((c) => c.id === id);
}

/** Inserts `cell` at `index` (the end by default). */
export function insertCell(doc: NotebookDocument, cell: Cell, index = doc.cells.length): NotebookDocument {
  if (findCell(doc, cell.id)) throw new Error(`cell ${cell.id} is already in the notebook`);
  if (!Number.isInteger(index) || index < 0 || index > doc.cells.length) {
    throw new RangeError(`cannot insert at ${index}: the notebook has ${doc.cells.length} cells`);
  }
  const cells = [...doc.cells];
  cells.splice(index, 0, cell);
  return { ...doc, cells };
}

/** Replaces a cell's source; the same document comes back when nothing changed. */
export function updateCellSource(doc: NotebookDocument, id: CellId, source: string): NotebookDocument {
  const index = indexOf(doc, id);
  if (doc.cells[index]!.source === source) return doc;
  const cells = [...doc.cells];
  cells[index] = { ...doc.cells[index]!, source };
  return { ...doc, cells };
}

export function removeCell(doc: NotebookDocument, id: CellId): NotebookDocument {
  indexOf(doc, id);
  return { ...doc, cells: doc.cells.filter((c) => c.id !== id) };
}

/** Moves a cell so that it ends up at `toIndex` of the resulting list. */
export function moveCell(doc: NotebookDocument, id: CellId, toIndex: number): NotebookDocument {
  const from = indexOf(doc, id);
  if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= doc.cells.length) {
    throw new RangeError(`cannot move to ${toIndex}: the notebook has ${doc.cells.length} cells`);
  }
  if (from === toIndex) return doc;
  const cells = [...doc.cells];
  const [cell] = cells.splice(from, 1);
  cells.splice(toIndex, 0, cell!);
  return { ...doc, cells };
}

/** Switches a cell between code and markdown, keeping its id and source. */
export function setCellKind(doc: NotebookDocument, id: CellId, kind: CellKind): NotebookDocument {
  const index = indexOf(doc, id);
  if (doc.cells[index]!.kind === kind) return doc;
  const cells = [...doc.cells];
  cells[index] = { ...doc.cells[index]!, kind };
  return { ...doc, cells };
}

/** Inserts a copy of a cell (with a fresh id) right below it; returns the document and the copy. */
export function duplicateCell(doc: NotebookDocument, id: CellId, random?: RandomBytes): { doc: NotebookDocument; copy: Cell } {
  const index = indexOf(doc, id);
  const original = doc.cells[index]!;
  const copy = createCell(doc, original.kind, original.source, random);
  return { doc: insertCell(doc, copy, index + 1), copy };
}

export function setTitle(doc: NotebookDocument, title: string): NotebookDocument {
  return doc.title === title ? doc : { ...doc, title };
}

/** The position of a cell, or -1. */
export function cellIndex(doc: NotebookDocument, id: CellId): number {
  return doc.cells.findIndex((c) => c.id === id);
}

/** The document as the LabApi takes it (plain mutable arrays). */
export function toNotebookDoc(doc: NotebookDocument): NotebookDoc {
  return { title: doc.title, cells: doc.cells.map((c) => ({ id: c.id, kind: c.kind, source: c.source })) };
}

function indexOf(doc: NotebookDocument, id: CellId): number {
  const index = doc.cells.findIndex((c) => c.id === id);
  if (index < 0) throw new Error(`no cell ${id} in the notebook`);
  return index;
}

function assertUniqueIds(cells: readonly Cell[]): void {
  const seen = new Set<string>();
  for (const cell of cells) {
    if (seen.has(cell.id)) throw new Error(`cell id ${cell.id} appears twice`);
    seen.add(cell.id);
  }
}
