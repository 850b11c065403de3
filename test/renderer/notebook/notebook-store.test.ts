// The notebook store: one mutable holder that tells listeners about real changes only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCell, createNotebook, insertCell, updateCellSource, type NotebookDocument } from '../../../renderer/notebook/notebook-document';
import { NotebookStore } from '../../../renderer/notebook/notebook-store';

function oneCell(): NotebookDocument {
  const empty = createNotebook('t');
  return insertCell(empty, createCell(empty, 'code', 'a'));
}

describe('NotebookStore', () => {
  it('applies a change and tells listeners the new and previous documents', () => {
    const store = new NotebookStore(oneCell());
    const id = store.doc.cells[0]!.id;
    const heard: [string, string][] = [];
    store.subscribe((doc, previous) => heard.push([doc.cells[0]!.source, previous.cells[0]!.source]));
    store.update((doc) => updateCellSource(doc, id, 'b'));
    assert.equal(store.doc.cells[0]!.source, 'b');
    assert.deepEqual(heard, [['b', 'a']]);
  });

  it('stays quiet when a change leaves the document as it was', () => {
    const store = new NotebookStore(oneCell());
    const id = store.doc.cells[0]!.id;
    let calls = 0;
    store.subscribe(() => calls++);
    store.update((doc) => updateCellSource(doc, id, 'a'));
    assert.equal(calls, 0);
  });

  it('stops telling a listener once it unsubscribed', () => {
    const store = new NotebookStore(oneCell());
    const id = store.doc.cells[0]!.id;
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);
    store.update((doc) => updateCellSource(doc, id, 'b'));
    unsubscribe();
    store.update((doc) => updateCellSource(doc, id, 'c'));
    assert.equal(calls, 1);
  });
});
