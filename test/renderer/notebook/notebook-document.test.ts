// The notebook document model: stable cell ids and pure, validating edits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cellIndex,
  createCell,
  createNotebook,
  duplicateCell,
  findCell,
  insertCell,
  moveCell,
  newCellId,
  removeCell,
  setCellKind,
  setTitle,
  toNotebookDoc,
  updateCellSource,
  type Cell,
  type CellId,
  type NotebookDocument,
} from '../../../renderer/notebook/notebook-document';

/** Random bytes from a fixed list of fills, one per call, so a collision can be staged. */
function scriptedBytes(fills: number[]): (bytes: Uint8Array) => Uint8Array {
  let call = 0;
  return (bytes) => bytes.fill(fills[call++ % fills.length]!);
}

function notebookOf(...sources: string[]): NotebookDocument {
  let doc = createNotebook('t');
  for (const source of sources) doc = insertCell(doc, createCell(doc, 'code', source));
  return doc;
}

const sources = (doc: NotebookDocument) => doc.cells.map((c) => c.source);

describe('newCellId', () => {
  it('draws a different id when the first one is taken', () => {
    const taken = newCellId([], scriptedBytes([3]));
    const next = newCellId([taken], scriptedBytes([3, 5]));
    assert.notEqual(next, taken);
    assert.equal(next, newCellId([], scriptedBytes([5])));
  });

  it('makes short lowercase alphanumeric ids', () => {
    for (let i = 0; i < 20; i++) assert.match(newCellId(), /^[a-z0-9]{8}$/);
  });
});

describe('notebook edits', () => {
  it('inserts at the end by default and at a given index', () => {
    const doc = notebookOf('a', 'c');
    const b = createCell(doc, 'code', 'b');
    assert.deepEqual(sources(insertCell(doc, b, 1)), ['a', 'b', 'c']);
    assert.deepEqual(sources(insertCell(doc, b)), ['a', 'c', 'b']);
  });

  it('never changes the document it was given', () => {
    const doc = notebookOf('a', 'b');
    const id = doc.cells[0]!.id;
    updateCellSource(doc, id, 'changed');
    removeCell(doc, id);
    moveCell(doc, id, 1);
    insertCell(doc, createCell(doc, 'code', 'x'), 0);
    assert.deepEqual(sources(doc), ['a', 'b']);
  });

  it('keeps a cell id through edits and moves', () => {
    const doc = notebookOf('a', 'b', 'c');
    const id = doc.cells[0]!.id;
    const moved = moveCell(updateCellSource(doc, id, 'a2'), id, 2);
    assert.deepEqual(sources(moved), ['b', 'c', 'a2']);
    assert.equal(moved.cells[2]!.id, id);
    assert.equal(findCell(moved, id)?.source, 'a2');
  });

  it('returns the same document when a source does not change', () => {
    const doc = notebookOf('a');
    assert.equal(updateCellSource(doc, doc.cells[0]!.id, 'a'), doc);
    assert.notEqual(updateCellSource(doc, doc.cells[0]!.id, 'b'), doc);
  });

  it('removes only the named cell', () => {
    const doc = notebookOf('a', 'b', 'c');
    assert.deepEqual(sources(removeCell(doc, doc.cells[1]!.id)), ['a', 'c']);
  });

  it('refuses unknown ids, duplicate ids and out-of-range indices', () => {
    const doc = notebookOf('a', 'b');
    const unknown = 'nosuchid' as CellId;
    assert.throws(() => updateCellSource(doc, unknown, 'x'), /no cell nosuchid/);
    assert.throws(() => removeCell(doc, unknown), /no cell nosuchid/);
    assert.throws(() => insertCell(doc, doc.cells[0]!), /already in the notebook/);
    assert.throws(() => insertCell(doc, createCell(doc, 'code'), 3), RangeError);
    assert.throws(() => moveCell(doc, doc.cells[0]!.id, 2), RangeError);
    const twin: Cell = { id: 'same' as CellId, kind: 'code', source: '' };
    assert.throws(() => createNotebook('t', [twin, twin]), /appears twice/);
  });

  it('creates cells whose ids are new to the document', () => {
    let doc = createNotebook('t');
    for (let i = 0; i < 50; i++) doc = insertCell(doc, createCell(doc, 'code', String(i)));
    assert.equal(new Set(doc.cells.map((c) => c.id)).size, 50);
  });
});

describe('cell kinds, copies, titles and the contract form', () => {
  it('switches a cell between code and markdown, keeping its id and source', () => {
    const doc = notebookOf('a', 'b');
    const id = doc.cells[1]!.id;
    const md = setCellKind(doc, id, 'markdown');
    assert.deepEqual(md.cells[1], { id, kind: 'markdown', source: 'b' });
    assert.equal(md.cells[0]!.kind, 'code');
    assert.equal(setCellKind(md, id, 'markdown'), md, 'no change, same document');
    assert.throws(() => setCellKind(doc, 'nosuchid' as CellId, 'code'), /no cell nosuchid/);
  });

  it('duplicates a cell right below itself under a fresh id', () => {
    const doc = notebookOf('a', 'b', 'c');
    const { doc: after, copy } = duplicateCell(doc, doc.cells[1]!.id);
    assert.deepEqual(sources(after), ['a', 'b', 'b', 'c']);
    assert.equal(after.cells[2], copy);
    assert.notEqual(copy.id, doc.cells[1]!.id);
    assert.equal(new Set(after.cells.map((c) => c.id)).size, 4);
  });

  it('renames, and finds cell positions', () => {
    const doc = notebookOf('a', 'b');
    assert.equal(setTitle(doc, 't'), doc);
    assert.equal(setTitle(doc, 'Capacity').title, 'Capacity');
    assert.equal(cellIndex(doc, doc.cells[1]!.id), 1);
    assert.equal(cellIndex(doc, 'gone' as CellId), -1);
  });

  it('gives the LabApi plain copies it may not share with the document', () => {
    const doc = notebookOf('a');
    const api = toNotebookDoc(doc);
    assert.deepEqual(api, { title: 't', cells: [{ id: doc.cells[0]!.id, kind: 'code', source: 'a' }] });
    assert.notEqual(api.cells[0], doc.cells[0]);
    api.cells.push({ id: 'x' as CellId, kind: 'code', source: '' });
    assert.equal(doc.cells.length, 1);
  });
});
