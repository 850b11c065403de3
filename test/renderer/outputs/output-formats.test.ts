// The pure parts of output views: table values, error positions, image sizes and bytes, where a run's
// progress goes, and the notebook's figure layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellOutput } from '../../../engine/api/notebook';
import type { RunId } from '../../../engine/api/schemas';
import { cellPosition } from '../../../renderer/outputs/error-output';
import { notebookLayout } from '../../../renderer/outputs/figure-output';
import { decodeBase64, displaySize } from '../../../renderer/outputs/images-output';
import { progressOwners } from '../../../renderer/outputs/output-layout';
import { formatCell } from '../../../renderer/outputs/table-output';

describe('output formats', () => {
  it('writes table values at four significant digits, integers whole, nulls as a dash', () => {
    assert.deepEqual([3, 0.123456, 12.3456, 1234.5678, 0.00001234, 2.5e7, 0, -1.5].map(formatCell), ['3', '0.1235', '12.35', '1235', '1.234e-5', '25000000', '0', '-1.5']);
    assert.deepEqual([null, undefined, 'hebb', true, [1, 2], { a: 1 }, NaN].map(formatCell), ['—', '—', 'hebb', 'true', '[1,2]', '{"a":1}', 'NaN']);
    assert.equal(formatCell(1.5e6 + 0.5), '1.500e+6');
  });

  it('finds the cell position in traceback lines the kernel writes, and nothing in other frames', () => {
    assert.deepEqual(cellPosition('    at cell e, line 4:11'), { before: '    at cell e, line ', line: 4, column: 11, after: '' });
    assert.equal(cellPosition('    at Object.<anonymous> (/x/y.js:4:11)'), null);
    assert.equal(cellPosition('Error: the line 4:2 is fine'), null);
  });

  it('scales images by whole pixels to about 96 px, and keeps one-row bit patterns visible', () => {
    assert.deepEqual(displaySize({ height: 28, width: 28, kind: 'image' }), { width: 84, height: 84 });
    assert.deepEqual(displaySize({ height: 1, width: 128, kind: 'bits' }), { width: 128, height: 10 });
    assert.deepEqual(displaySize({ height: 4, width: 4, kind: 'bits' }), { width: 32, height: 32 });
    assert.deepEqual([...decodeBase64(Buffer.from([0, 255, 7]).toString('base64'))], [0, 255, 7]);
  });
});

describe('output layout', () => {
  it("puts a run's progress in that run's card, and leaves other progress where it is", () => {
    const outputs: CellOutput[] = [
      { type: 'progress', key: 'sweep-1', label: 'sweep', done: 1, total: 2 },
      { type: 'run', runId: 4 as RunId, name: 'a', model: 'm', task: 't' },
      { type: 'progress', key: 'run-4', label: 'training', done: 3, total: 9 },
      { type: 'progress', key: 'eval-5', label: 'evaluating', done: 1, total: 2 },
      { type: 'run', runId: 5 as RunId, name: 'b', model: 'm', task: 't' },
      { type: 'progress', key: 'run-6', label: 'no card', done: 1, total: 2 },
    ];
    assert.deepEqual([...progressOwners(outputs)], [
      [2, 1],
      [3, 4],
    ]);
  });
});

describe('notebook figure layout', () => {
  it('makes room under the x-axis for one legend row per three entries, and none for a lone trace', () => {
    const line = (name: string, showlegend?: boolean) => ({ type: 'scatter', name, ...(showlegend === undefined ? {} : { showlegend }) });
    const lone = notebookLayout(undefined, [line('loss')]);
    const four = notebookLayout(undefined, [line('a'), line('b'), line('c'), line('d'), line('band', false)]);
    assert.equal((four['height'] as number) - (lone['height'] as number), 40);
    assert.equal((four['margin'] as { b: number }).b - (lone['margin'] as { b: number }).b, 40);
  });

  it("keeps the spec's own layout over the defaults, but not its uirevision", () => {
    const layout = notebookLayout({ title: { text: 't' }, height: 500, uirevision: 'x' }, []);
    assert.deepEqual([layout['title'], layout['height'], layout['uirevision']], [{ text: 't' }, 500, 'cell-figure']);
  });
});
