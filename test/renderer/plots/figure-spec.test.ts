// Building figure specs (pure data) from metric series.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPointData } from '../../../engine/api/schemas';
import {
  figureTraces,
  MARKERS_MAX_POINTS,
  metricFamily,
  metricFigure,
  WEBGL_MIN_POINTS,
} from '../../../renderer/plots/figure-spec';
import { appendPoints, type SeriesSet } from '../../../renderer/plots/metric-series';

function setOf(lengths: Record<string, number>): SeriesSet {
  const set: SeriesSet = new Map();
  const pts: MetricPointData[] = [];
  for (const [key, n] of Object.entries(lengths)) {
    for (let step = 0; step < n; step++) pts.push({ key, step, value: step * 2 + 1, wallTimeMs: 0 });
  }
  appendPoints(set, pts);
  return set;
}

const options = { logY: false, viewKey: 'run-1' };

describe('metricFamily', () => {
  it('groups loss terms with their loss', () => {
    assert.equal(metricFamily('loss/kl'), 'loss');
    assert.equal(metricFamily('loss'), 'loss');
    assert.equal(metricFamily('error_bits'), 'error_bits');
  });
});

describe('metricFigure', () => {
  it('draws each family in its own panel, the loss family first', () => {
    const spec = metricFigure(setOf({ accuracy: 3, 'loss/kl': 3, loss: 3, error_bits: 2 }), options);
    assert.deepEqual(
      spec.panels.map((p) => [p.title, p.traces.map((t) => t.name)]),
      [
        ['loss', ['loss/kl', 'loss']],
        ['accuracy', ['accuracy']],
        ['error_bits', ['error_bits']],
      ],
    );
    assert.deepEqual(
      figureTraces(spec).map((t) => t.name),
      ['loss/kl', 'loss', 'accuracy', 'error_bits'],
    );
  });

  it('plots value against step', () => {
    const [trace] = figureTraces(metricFigure(setOf({ loss: 3 }), options));
    assert.deepEqual(trace?.x, [0, 1, 2]);
    assert.deepEqual(trace?.y, [1, 3, 5]);
  });

  it('marks the points of short series and switches long ones to WebGL', () => {
    const spec = metricFigure(
      setOf({ a: MARKERS_MAX_POINTS, b: MARKERS_MAX_POINTS + 1, c: WEBGL_MIN_POINTS, d: WEBGL_MIN_POINTS + 1 }),
      options,
    );
    assert.deepEqual(
      figureTraces(spec).map((t) => [t.name, t.markers, t.renderer]),
      [
        ['a', true, 'svg'],
        ['b', false, 'svg'],
        ['c', false, 'svg'],
        ['d', false, 'webgl'],
      ],
    );
  });

  it('copies the series, so a spec does not change as the run grows', () => {
    const set = setOf({ loss: 2 });
    const spec = metricFigure(set, options);
    appendPoints(set, [{ key: 'loss', step: 9, value: 0, wallTimeMs: 0 }]);
    assert.equal(figureTraces(spec)[0]?.x.length, 2);
  });

  it('carries the axis scale and the view key', () => {
    const spec = metricFigure(setOf({ loss: 1 }), { logY: true, viewKey: 'run-9-log' });
    assert.equal(spec.logY, true);
    assert.equal(spec.viewKey, 'run-9-log');
  });
});
