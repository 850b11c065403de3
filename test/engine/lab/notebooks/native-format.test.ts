// The native notebook file: plain, diffable Markdown with stable cell ids that reads back exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellId, NotebookDoc } from '../../../../engine/api/notebook';
import { NotebookFormatError, parseNotebook, serializeNotebook } from '../../../../engine/lab/notebooks/native-format';

const doc: NotebookDoc = {
  title: 'Tricky: "quotes" and colons',
  cells: [
    { id: 'md1' as CellId, kind: 'markdown', source: '# Heading\n\nA line that looks like a marker:\n<!-- cell fake code -->\nend' },
    { id: 'c-2' as CellId, kind: 'code', source: 'const s = `template ${1}`;\n// a fence inside code:\nconst fence = "```";' },
    { id: 'c_3' as CellId, kind: 'code', source: '' },
    { id: 'md4' as CellId, kind: 'markdown', source: '' },
  ],
};

describe('native notebook format', () => {
  it('round-trips cells, kinds, ids and tricky sources exactly', () => {
    const text = serializeNotebook(doc);
    assert.deepEqual(parseNotebook(text, 'x.engram.md'), doc);
    assert.equal(serializeNotebook(parseNotebook(text, 'x.engram.md')), text, 'serialising is stable');
  });

  it('writes one marker line per cell, so a one-line edit is a one-line diff', () => {
    const text = serializeNotebook(doc);
    assert.equal(text.match(/^<!-- cell \S+ (code|markdown) -->$/gm)!.length, 4);
    const edited = serializeNotebook({ ...doc, cells: doc.cells.map((c) => (c.id === 'c-2' ? { ...c, source: c.source.replace('${1}', '${2}') } : c)) });
    const changed = text.split('\n').filter((l, i) => l !== edited.split('\n')[i]);
    assert.equal(changed.length, 1);
  });

  it('reads a plain Markdown file: fenced ts blocks become code cells', () => {
    const parsed = parseNotebook('# Notes\n\nSome text.\n\n```ts\nconst a = 1;\n```\n\nMore.\n', '/tmp/notes.md');
    assert.deepEqual(parsed.cells.map((c) => [c.kind, c.source]), [['markdown', '# Notes\n\nSome text.'], ['code', 'const a = 1;'], ['markdown', 'More.']]);
    assert.equal(parsed.title, 'notes');
  });

  it('names the line of a malformed file', () => {
    const bad = '---\nengram: 1\ntitle: t\n---\n<!-- cell a code -->\nconst x = 1;\n';
    assert.throws(() => parseNotebook(bad, 'bad.engram.md'), (e: unknown) => e instanceof NotebookFormatError && e.line === 6 && /fenced/.test(e.message));
    const dup = '<!-- cell a code -->\n```ts\n```\n<!-- cell a markdown -->\nx\n';
    assert.throws(() => parseNotebook(dup, 'dup.engram.md'), /appears twice/);
    assert.throws(() => parseNotebook('---\nengram: 9\n---\n', 'v.engram.md'), /format version 9/);
  });
});
