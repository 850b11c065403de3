// A live figure's traces: filled from the stored series, grown by progress events, never doubled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPointData, RunId } from '../../../engine/api/schemas';
import { LiveTraces } from '../../../renderer/outputs/live-traces';

const [r1, r2] = [7 as RunId, 9 as RunId];
const point = (step: number, value: number, key = 'loss', wallTimeMs = 1000 + step * 100): MetricPointData => ({ key, step, value, wallTimeMs });
const series = (steps: number[]) => ({ steps, values: steps.map((s) => s / 10), wallTimesMs: steps.map((s) => 1000 + s * 100) });

describe('LiveTraces', () => {
  it('fills each run its trace from the stored series, by its place in runIds', () => {
    const live = new LiveTraces({ runIds: [r1, r2], metric: 'loss', x: 'step' });
    assert.deepEqual(live.load(r2, series([1, 2])), { trace: 1, x: [1, 2], y: [0.1, 0.2] });
    assert.deepEqual(live.load(r1, undefined), { trace: 0, x: [], y: [] });
    assert.equal(live.load(5 as RunId, series([1])), null, 'not a run of this figure');
  });

  it('adds the metric points beyond the last step, in step order, and skips the rest', () => {
    const live = new LiveTraces({ runIds: [r1], metric: 'loss', x: 'step' });
    live.load(r1, series([1, 2, 3]));
    const added = live.extend({ runId: r1, points: [point(5, 0.5), point(3, 0.3), point(4, 0.4), point(4, 9, 'error_bits')] });
    assert.deepEqual(added, { trace: 0, x: [4, 5], y: [0.4, 0.5] });
    assert.equal(live.extend({ runId: r1, points: [point(5, 0.5), point(6, 1, 'accuracy')] }), null);
    assert.equal(live.extend({ runId: r2, points: [point(9, 1)] }), null, 'another run');
  });

  it('keeps points that come before the series is loaded, and merges them without duplicates', () => {
    const live = new LiveTraces({ runIds: [r1], metric: 'loss', x: 'step' });
    assert.equal(live.extend({ runId: r1, points: [point(3, 0.3), point(4, 0.4)] }), null);
    assert.deepEqual(live.load(r1, series([1, 2, 3])), { trace: 0, x: [1, 2, 3, 4], y: [0.1, 0.2, 0.3, 0.4] });
  });

  it('plots against seconds since the run’s first point when x is time', () => {
    const live = new LiveTraces({ runIds: [r1], metric: 'loss', x: 'time' });
    assert.deepEqual(live.load(r1, series([0, 10])), { trace: 0, x: [0, 1], y: [0, 1] });
    assert.deepEqual(live.extend({ runId: r1, points: [point(20, 2)] }), { trace: 0, x: [2], y: [2] });
    const fresh = new LiveTraces({ runIds: [r1], metric: 'loss', x: 'time' });
    fresh.load(r1, undefined);
    assert.deepEqual(fresh.extend({ runId: r1, points: [point(1, 1, 'loss', 5000), point(2, 2, 'loss', 5500)] }), { trace: 0, x: [0, 0.5], y: [1, 2] });
  });
});
