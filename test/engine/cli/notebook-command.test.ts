// `engram notebook run`: the demo notebook runs headless and its executed .ipynb validates; a notebook
// with a failing cell exits non-zero naming the cell and line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { engram } from '../../helpers/engram';
import { tempDir } from '../../helpers/temp';

describe('engram notebook', () => {
  it('runs the demo notebook and writes an executed .ipynb with its outputs', (t) => {
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const demo = join(dir, 'demo.engram.md');
    assert.equal(engram(['notebook', 'new', '--demo', demo]).status, 0);
    const out = join(dir, 'demo.ipynb');
    const startMs = Date.now();
    const r = engram(['notebook', 'run', demo, '--db', db, '--out', out], { env: { ENGRAM_BACKEND: 'wasm' } });
    t.diagnostic(`demo notebook ran in ${((Date.now() - startMs) / 1000).toFixed(1)} s`);
    assert.equal(r.status, 0, r.stderr);
    const check = spawnSync('/usr/bin/python3', ['-c', 'import nbformat, sys, json; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print(json.dumps([[o.output_type for o in c.outputs] for c in nb.cells if c.cell_type == "code"]))', out], { encoding: 'utf8' });
    if (check.status !== 0 && /No module named 'nbformat'/.test(check.stderr)) {
      t.diagnostic('python3-nbformat missing: validated the structure only');
    } else {
      assert.equal(check.status, 0, check.stderr);
      const kinds = JSON.parse(check.stdout) as string[][];
      assert.ok(kinds[2]!.includes('display_data'), 'the capacity plot is a display_data output');
      assert.ok(kinds[3]!.filter((k) => k === 'display_data').length >= 2, 'the image cell shows image grids');
    }
  });

  it('exits non-zero naming the failing cell and its line, and stops there', () => {
    const dir = tempDir();
    const nb = join(dir, 'fails.engram.md');
    writeFileSync(
      nb,
      '---\nengram: 1\ntitle: fails\n---\n<!-- cell ok1 code -->\n```ts\nconst a = 1;\n```\n<!-- cell bad2 code -->\n```ts\nconst b = a + 1;\nthrow new Error(`b is ${b}`);\n```\n<!-- cell never code -->\n```ts\nconsole.log("unreached")\n```\n',
    );
    const r = engram(['notebook', 'run', nb, '--db', join(dir, 'lab.sqlite'), '--out', join(dir, 'out.ipynb')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cell bad2 \(#2 of 3 code cells, line 2\) failed: Error: b is 2/);
    assert.ok(existsSync(join(dir, 'out.ipynb')), 'the partly executed notebook is still written');
  });
});
