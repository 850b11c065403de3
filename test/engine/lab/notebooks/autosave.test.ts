// Autosave and crash recovery through the real server: an edit reaches the file within 2 s, and an edit
// made just before a kill -9 of the service is there when it starts again.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { NotebookDoc, NotebookState } from '../../../../engine/api/notebook';
import { callServe, startServe } from '../../../helpers/engram';
import { tempDir } from '../../../helpers/temp';

describe('notebook autosave', () => {
  it('writes an edit to the file within 2 s, by rename, and marks it saved', async () => {
    const dir = tempDir();
    const { child, base, token } = await startServe(join(dir, 'lab.sqlite'));
    try {
      const path = join(dir, 'nb.engram.md');
      const created = (await callServe(base, token, 'notebooks.create', { path })) as NotebookState;
      const edited: NotebookDoc = { ...created.doc, cells: [{ ...created.doc.cells[0]!, source: 'const edited = 1;' }] };
      const beforeMs = Date.now();
      const r = (await callServe(base, token, 'notebooks.update', { path, doc: edited })) as { dirty: boolean };
      assert.equal(r.dirty, true);
      let savedAt = 0;
      while (!savedAt && Date.now() - beforeMs < 5000) {
        await new Promise((res) => setTimeout(res, 50));
        if (readFileSync(path, 'utf8').includes('const edited = 1;')) savedAt = Date.now();
      }
      assert.ok(savedAt, 'the edit reached the file');
      assert.ok(savedAt - beforeMs <= 2100, `saved after ${savedAt - beforeMs} ms`);
      assert.ok(statSync(path).mtimeMs >= beforeMs - 1);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps an edit made just before kill -9 of the service, and restores it on the next start', async () => {
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const path = join(dir, 'nb.engram.md');
    const first = await startServe(db);
    let doc: NotebookDoc;
    try {
      const created = (await callServe(first.base, first.token, 'notebooks.create', { path })) as NotebookState;
      doc = { ...created.doc, cells: [{ ...created.doc.cells[0]!, source: 'const survives = "yes";' }] };
      await callServe(first.base, first.token, 'notebooks.update', { path, doc });
    } finally {
      first.child.kill('SIGKILL'); // before the autosave timer could fire
    }
    await new Promise((r) => first.child.once('exit', r));
    assert.ok(!readFileSync(path, 'utf8').includes('survives'), 'the file did not get the edit before the kill');
    const second = await startServe(db);
    try {
      const opened = (await callServe(second.base, second.token, 'notebooks.open', { path })) as NotebookState;
      assert.equal(opened.recovered, true);
      assert.equal(opened.doc.cells[0]!.source, 'const survives = "yes";');
      assert.ok(readFileSync(path, 'utf8').includes('survives'), 'the recovered edit is written to the file');
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
