// Notebook paths in the renderer: the start-up choice, default names, and the service's path forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseName,
  DEMO_FILE_NAME,
  dirName,
  importedPathFor,
  ipynbPathFor,
  joinPath,
  startupPlan,
  untitledPath,
  withNotebookExtension,
} from '../../../renderer/files/notebook-paths';

describe('notebook paths', () => {
  it('opens the recent notebooks newest first, and plans the demo in the notebooks folder', () => {
    const plan = startupPlan(
      [
        { path: '/n/old.engram.md', title: 'old', openedMs: 1 },
        { path: '/n/new.engram.md', title: 'new', openedMs: 3 },
        { path: '/n/mid.engram.md', title: 'mid', openedMs: 2 },
      ],
      '/home/u/.config/Engram/notebooks',
    );
    assert.deepEqual(plan.open, ['/n/new.engram.md', '/n/mid.engram.md', '/n/old.engram.md']);
    assert.equal(plan.demo, `/home/u/.config/Engram/notebooks/${DEMO_FILE_NAME}`);
    assert.deepEqual(startupPlan([], '/d').open, [], 'first start: only the demo');
  });

  it('joins and splits POSIX and Windows paths in their own separator', () => {
    assert.equal(joinPath('/a/b', 'c.md'), '/a/b/c.md');
    assert.equal(joinPath('/a/b/', 'c.md'), '/a/b/c.md');
    assert.equal(joinPath('C:\\Users\\u\\Engram', 'c.md'), 'C:\\Users\\u\\Engram\\c.md');
    assert.equal(dirName('/a/b/c.md'), '/a/b');
    assert.equal(dirName('/c.md'), '/');
    assert.equal(dirName('C:\\x\\y.md'), 'C:\\x');
    assert.equal(baseName('/a/b/c.engram.md'), 'c.engram.md');
  });

  it('names new notebooks Untitled, Untitled-2… avoiding names taken', () => {
    assert.equal(untitledPath('/d', []), '/d/Untitled.engram.md');
    assert.equal(untitledPath('/d', ['/d/Untitled.engram.md', '/d/Untitled-2.engram.md', '/e/Untitled-3.engram.md']), '/d/Untitled-3.engram.md');
  });

  it('adds the notebook extension where missing and derives .ipynb names both ways', () => {
    assert.equal(withNotebookExtension(' /d/runs '), '/d/runs.engram.md');
    assert.equal(withNotebookExtension('/d/runs.engram.md'), '/d/runs.engram.md');
    assert.equal(withNotebookExtension('/d/notes.md'), '/d/notes.md');
    assert.equal(ipynbPathFor('/d/capacity.engram.md'), '/d/capacity.ipynb');
    assert.equal(importedPathFor('/d/from-jupyter.ipynb'), '/d/from-jupyter.engram.md');
  });
});
