// Gathering a figure's runs and series from the lab book, and the pieces of the Chromium driver that
// need no browser (file resolution, finding Chromium).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultHeightMm, FigureRequest, FigureSize } from '../../../../engine/api/figure';
import { findChromium, resolveInside } from '../../../../engine/lab/export/chromium-figure-renderer';
import { fileStem, figurePayload, FigureInputError, isCurveFigure } from '../../../../engine/lab/export/figure-export';
import { LabStore } from '../../../../engine/lab/store/lab-store';
import { fillSampleLab } from '../../../helpers/sample-runs';
import { tempDir } from '../../../helpers/temp';

describe('figurePayload()', () => {
  const path = join(tempDir(), 'lab.sqlite');
  const lab = fillSampleLab(path);

  it('reads each run and, for curves, its series of the metric; fills in the height', () => {
    const store = new LabStore(path);
    const payload = figurePayload(store, FigureRequest.parse({ runIds: lab.compared, metric: 'error_bits', x: 'time' }), FigureSize.parse({ format: 'png', widthMm: 183 }));
    assert.deepEqual(payload.series.map((s) => [s.runId, s.steps]), lab.compared.map((id) => [id, [40, 80, 120, 160, 200]]));
    assert.deepEqual([payload.size.heightMm, payload.size.dpi], [defaultHeightMm(183), 300]);
    store.close();
  });

  it('reads no series for a capacity curve, and refuses runs without the final metric', () => {
    const store = new LabStore(path);
    const all = [...lab.runs.map((r) => r.id)];
    const payload = figurePayload(store, FigureRequest.parse({ runIds: all, metric: 'error_bits', x: 'task.setSize' }), FigureSize.parse({ format: 'pdf', widthMm: 89 }));
    assert.equal(payload.series.length, 0);
    assert.throws(
      () => figurePayload(store, FigureRequest.parse({ runIds: all, metric: 'accuracy', x: 'task.setSize' }), FigureSize.parse({ format: 'pdf', widthMm: 89 })),
      (err: unknown) => err instanceof FigureInputError && /metric "accuracy": runs 1, 2, .* have no final value of it/.test(err.message),
    );
    store.close();
  });
});

describe('figure helpers', () => {
  it('tells curves from capacity curves, names files, and keeps heights compact', () => {
    assert.equal(isCurveFigure({ x: 'time' }), true);
    assert.equal(isCurveFigure({ x: 'memoryFloats' }), false);
    assert.equal(fileStem({ metric: 'loss/kl', x: 'task.setSize' }), 'loss_kl-vs-task.setSize');
    assert.equal(defaultHeightMm(89), 60.5);
    assert.equal(defaultHeightMm(183), 85.8);
  });

  it('serves only files inside the renderer folder', () => {
    assert.equal(resolveInside('/srv/r', '/export.html'), '/srv/r/export.html');
    assert.equal(resolveInside('/srv/r', '/assets/../../etc/passwd'), null);
    assert.equal(resolveInside('/srv/r', '/%2e%2e/x'), null);
  });

  it('finds Chromium by CHROMIUM_PATH or says how to get one', () => {
    const missing = findChromium('/nowhere/chromium');
    assert.ok('problem' in missing && /\/nowhere\/chromium does not exist: install Debian's chromium package or set CHROMIUM_PATH/.test(missing.problem));
  });
});
