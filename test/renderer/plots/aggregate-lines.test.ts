// Averaging runs into a line with a band.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateLines, bandStats, commonGrid, interpolate } from '../../../renderer/plots/aggregate-lines';

describe('bandStats()', () => {
  it('gives the mean with the population std or the range', () => {
    assert.deepEqual(bandStats([1, 3], 'std'), { mean: 2, lower: 1, upper: 3, count: 2 });
    assert.deepEqual(bandStats([1, 2, 6, NaN], 'minmax'), { mean: 3, lower: 1, upper: 6, count: 3 });
    assert.deepEqual(bandStats([5], 'std'), { mean: 5, lower: 5, upper: 5, count: 1 });
    assert.equal(bandStats([], 'std').count, 0);
  });
});

describe('interpolate()', () => {
  it('interpolates linearly inside the range and is NaN outside', () => {
    const xs = [0, 10, 20];
    const ys = [0, 5, 7];
    assert.equal(interpolate(xs, ys, 10), 5);
    assert.equal(interpolate(xs, ys, 15), 6);
    assert.ok(Number.isNaN(interpolate(xs, ys, 21)));
  });
});

describe('aggregateLines()', () => {
  it('averages members at the union of their x, each x over the members that cover it', () => {
    const out = aggregateLines(
      [
        { x: [0, 2, 4], y: [0, 2, 4] },
        { x: [0, 2], y: [2, 6] },
      ],
      'minmax',
    );
    assert.deepEqual(out.x, [0, 2, 4]);
    assert.deepEqual(out.mean, [1, 4, 4]);
    assert.deepEqual(out.lower, [0, 2, 4]);
    assert.deepEqual(out.upper, [2, 6, 4]);
    assert.deepEqual(out.count, [2, 2, 1]);
  });

  it('resamples onto an even grid above the point limit', () => {
    const grid = commonGrid([{ x: [0, 1, 2, 3, 4, 5, 6, 7, 8], y: [] }], 5);
    assert.deepEqual(grid, [0, 2, 4, 6, 8]);
  });
});
