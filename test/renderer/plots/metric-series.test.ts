// Merging a run's queried metric series with the points that progress events carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPointData, MetricSeries, RunId } from '../../../engine/api/schemas';
import { appendPoints, seriesSetFrom, type SeriesSet } from '../../../renderer/plots/metric-series';

const runId = 7 as RunId;

function queried(key: string, steps: number[], values: number[]): MetricSeries {
  return { runId, key, steps, values, wallTimesMs: steps.map((s) => 1000 + s), totalInRange: steps.length, downsampled: false };
}

function points(key: string, steps: number[], values: number[]): MetricPointData[] {
  return steps.map((step, i) => ({ key, step, value: values[i]!, wallTimeMs: 1000 + step }));
}

const snapshot = (set: SeriesSet) => [...set.values()].map((s) => ({ key: s.key, steps: s.steps, values: s.values }));

describe('seriesSetFrom', () => {
  it('holds each queried series, keys in sorted order', () => {
    const set = seriesSetFrom([queried('loss', [1, 2], [0.5, 0.25]), queried('accuracy', [5], [0.75])]);
    assert.deepEqual(snapshot(set), [
      { key: 'accuracy', steps: [5], values: [0.75] },
      { key: 'loss', steps: [1, 2], values: [0.5, 0.25] },
    ]);
  });
});

describe('appendPoints', () => {
  it('skips points the query already returned and appends the rest', () => {
    const set = seriesSetFrom([queried('loss', [1, 2, 3], [3, 2, 1])]);
    const result = appendPoints(set, points('loss', [2, 3, 4, 5], [2, 1, 0.5, 0.25]));
    assert.deepEqual(snapshot(set), [{ key: 'loss', steps: [1, 2, 3, 4, 5], values: [3, 2, 1, 0.5, 0.25] }]);
    assert.deepEqual([...result.added], [['loss', 2]]);
    assert.deepEqual(result.newKeys, []);
  });

  it('starts a series for a key seen for the first time, after the existing ones', () => {
    const set = seriesSetFrom([queried('loss', [1], [3])]);
    const result = appendPoints(set, [...points('loss', [2], [2]), ...points('error_bits', [2], [40])]);
    assert.deepEqual(result.newKeys, ['error_bits']);
    assert.deepEqual([...set.keys()], ['loss', 'error_bits']);
    assert.deepEqual(set.get('error_bits')?.steps, [2]);
  });

  it('puts points that arrive out of order in step order, keeping the first of equal steps', () => {
    const set: SeriesSet = new Map();
    appendPoints(set, points('loss', [3, 1, 2, 2], [30, 10, 20, 21]));
    assert.deepEqual(snapshot(set), [{ key: 'loss', steps: [1, 2, 3], values: [10, 20, 30] }]);
  });

  it('reports nothing added for a replay of known points', () => {
    const set = seriesSetFrom([queried('loss', [1, 2], [2, 1])]);
    const result = appendPoints(set, points('loss', [1, 2], [2, 1]));
    assert.equal(result.added.size, 0);
    assert.deepEqual(set.get('loss')?.steps, [1, 2]);
  });
});
