// The cell selection: a cursor, an anchor for Shift-extension, kept valid when cells go away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moveSelection, NO_SELECTION, repairSelection, selectedIds, selectOnly } from '../../../renderer/notebook/cell-selection';
import { createNotebook, removeCell, type CellId } from '../../../renderer/notebook/notebook-document';

const ids = ['a', 'b', 'c', 'd'] as CellId[];
const doc = createNotebook('t', ids.map((id) => ({ id, kind: 'code' as const, source: id })));

describe('cell selection', () => {
  it('selects the cells between anchor and cursor in document order, either way round', () => {
    assert.deepEqual(selectedIds(doc, { anchor: ids[3]!, cursor: ids[1]! }), ['b', 'c', 'd']);
    assert.deepEqual(selectedIds(doc, selectOnly(ids[2]!)), ['c']);
    assert.deepEqual(selectedIds(doc, NO_SELECTION), []);
    assert.deepEqual(selectedIds(doc, { anchor: 'gone' as CellId, cursor: ids[0]! }), ['a']);
  });

  it('moves the cursor, stopping at the ends, and extends from the anchor with Shift', () => {
    let s = selectOnly(ids[1]!);
    s = moveSelection(doc, s, 1, true);
    s = moveSelection(doc, s, 1, true);
    assert.deepEqual(selectedIds(doc, s), ['b', 'c', 'd']);
    s = moveSelection(doc, s, 1, false);
    assert.deepEqual(s, selectOnly(ids[3]!), 'a plain move collapses the selection; the end holds');
    assert.deepEqual(moveSelection(doc, selectOnly(ids[0]!), -1, false), selectOnly(ids[0]!));
    assert.deepEqual(moveSelection(doc, NO_SELECTION, 1, false), selectOnly(ids[0]!));
  });

  it('after a deletion, selects the cell now at the old position (or the last one)', () => {
    const after = removeCell(removeCell(doc, ids[1]!), ids[2]!);
    assert.deepEqual(repairSelection(after, { anchor: ids[1]!, cursor: ids[2]! }, 1), selectOnly(ids[3]!));
    const last = removeCell(doc, ids[3]!);
    assert.deepEqual(repairSelection(last, selectOnly(ids[3]!), 3), selectOnly(ids[2]!));
    assert.deepEqual(repairSelection(createNotebook('e'), selectOnly(ids[0]!), 0), NO_SELECTION);
    assert.deepEqual(repairSelection(doc, { anchor: 'gone' as CellId, cursor: ids[1]! }, 0), selectOnly(ids[1]!));
  });
});
