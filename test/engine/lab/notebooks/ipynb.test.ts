// .ipynb interop: a native notebook with outputs exports to nbformat 4.5 that Jupyter's own validator
// accepts, and imports back with the same cells and ids.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CellId, NotebookDoc, StoredCellOutputs } from '../../../../engine/api/notebook';
import type { RunId } from '../../../../engine/api/schemas';
import { fromIpynb, toIpynb } from '../../../../engine/lab/notebooks/ipynb';
import { imagesToPng } from '../../../../engine/lab/notebooks/images-png';
import { parseNotebook, serializeNotebook } from '../../../../engine/lab/notebooks/native-format';
import { tempDir } from '../../../helpers/temp';

const doc: NotebookDoc = {
  title: 'Round trip',
  cells: [
    { id: 'intro' as CellId, kind: 'markdown', source: '# Title\nText' },
    { id: 'train-1' as CellId, kind: 'code', source: "const r = await lab.train({ model: 'slot-memory', task: 'binary-recall' });\nr.metrics" },
    { id: 'plot_2' as CellId, kind: 'code', source: 'await lab.plot({ data: [] })' },
  ],
};

const outputs: StoredCellOutputs[] = [
  {
    cellId: 'train-1' as CellId,
    sourceHash: 'x',
    executionCount: 3,
    trusted: true,
    outputs: [
      { type: 'stream', name: 'stdout', text: 'hello\nworld\n' },
      { type: 'run', runId: 7 as RunId, name: 'slot-memory-7', model: 'slot-memory', task: 'binary-recall' },
      { type: 'table', columns: ['a', 'b<c'], rows: [[1, 'x&y']] },
      { type: 'images', kind: 'bits', count: 2, height: 1, width: 3, pixelsBase64: Buffer.from([255, 0, 255, 0, 0, 255]).toString('base64') },
      { type: 'result', text: '{ error_bits: 0 }' },
    ],
  },
  {
    cellId: 'plot_2' as CellId,
    sourceHash: 'y',
    executionCount: 4,
    trusted: true,
    outputs: [
      { type: 'figure', spec: { data: [{ type: 'scatter', x: [1, 2], y: [3, 4] }], layout: { title: { text: 't' } } } },
      { type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom', '    at cell plot_2, line 1:1'], line: 1, column: 1 },
    ],
  },
];

const pngOfFigure = async () => Buffer.from('not-really-a-png').toString('base64');

describe('ipynb', () => {
  it('exports nbformat 4.5 that Jupyter\'s validator accepts, with outputs as stream, display_data, execute_result and error', async (t) => {
    const python = '/usr/bin/python3';
    const check = spawnSync(python, ['-c', 'import nbformat'], { encoding: 'utf8' });
    if (!existsSync(python) || check.status !== 0) {
      t.skip('Debian python3-nbformat is not installed (apt-get install python3-nbformat), so the official validator cannot run');
      return;
    }
    const json = await toIpynb(doc, outputs, { figure: pngOfFigure, images: imagesToPng });
    const file = join(tempDir(), 'out.ipynb');
    writeFileSync(file, JSON.stringify(json));
    const r = spawnSync(python, ['-c', 'import nbformat, sys; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print(nb.nbformat_minor, len(nb.cells))', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '5 3');
    const cells = (json as { cells: { outputs?: { output_type: string; data?: Record<string, unknown> }[] }[] }).cells;
    assert.deepEqual(cells[1]!.outputs!.map((o) => o.output_type), ['stream', 'display_data', 'display_data', 'display_data', 'execute_result']);
    const figure = cells[2]!.outputs![0]!;
    assert.ok(figure.data!['application/vnd.plotly.v1+json'] && figure.data!['image/png']);
  });

  it('round-trips native → .ipynb → native keeping cells and ids', async () => {
    const json = await toIpynb(doc, outputs, { figure: pngOfFigure, images: imagesToPng });
    const back = fromIpynb(JSON.parse(JSON.stringify(json)), '/tmp/Round trip.ipynb');
    assert.deepEqual(back.doc, doc);
    assert.deepEqual(parseNotebook(serializeNotebook(back.doc), 'x.engram.md'), doc);
    const train = back.outputs.find((o) => o.cellId === 'train-1')!;
    assert.equal(train.executionCount, 3);
    assert.deepEqual(train.outputs.map((o) => o.type), ['stream', 'run', 'html', 'image', 'result']);
  });

  it('gives cells without a valid or unique id a fresh one, and refuses what is not nbformat 4', () => {
    const nb = { nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'code', source: 'a', outputs: [] }, { cell_type: 'markdown', id: 'has space', source: ['b'] }, { cell_type: 'raw', source: 'c' }] };
    const { doc: d } = fromIpynb(nb, 'x.ipynb');
    assert.equal(d.cells.length, 2);
    assert.ok(d.cells.every((c) => /^[A-Za-z0-9_-]+$/.test(c.id)));
    assert.notEqual(d.cells[0]!.id, d.cells[1]!.id);
    assert.throws(() => fromIpynb({ nbformat: 3, worksheets: [] }, 'old.ipynb'), /not an nbformat 4 notebook/);
  });
});
