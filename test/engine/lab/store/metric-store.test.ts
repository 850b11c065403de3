// Down-sampled reads of a million-point series (what a compare plot asks for when it opens and on
// zoom), and the streaming min/max bucketer they use. Timing is measured by
// `engram bench` (its lab-book figures), never asserted here.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunId } from '../../../../engine/api/schemas';
import { MinMaxBucketer } from '../../../../engine/lab/store/metric-store';
import { LabStore } from '../../../../engine/lab/store/lab-store';
import { tempDir } from '../../../helpers/temp';

function storeWithSeries(n: number, value: (step: number) => number): { store: LabStore; runId: RunId } {
  const store = new LabStore(join(tempDir(), 'lab.sqlite'));
  const runId = store.createRun({
    kind: 'train',
    spec: { model: 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: {}, training: { steps: n }, seed: 3 },
    memoryFloats: null,
    backend: 'cpu',
    provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: 'test', engramVersion: '0', node: process.version, platform: process.platform, host: 'test' },
  });
  const batch = 100_000;
  for (let start = 0; start < n; start += batch) {
    const points = [];
    for (let step = start; step < Math.min(n, start + batch); step++) points.push({ key: 'loss', step, value: value(step), wallTimeMs: 5e11 + 2 * step });
    store.appendMetrics(runId, points);
  }
  return { store, runId };
}

describe('MetricStore#read() on 1M points', () => {
  const n = 1_000_000;
  const high = 654_321;
  const low = 123_457;
  const { store, runId } = storeWithSeries(n, (step) => (step === high ? 1e6 : step === low ? -1e6 : Math.sin(step / 1000)));

  it('returns at most a few thousand points for the full range, keeping the extremes, first and last point', () => {
    const series = store.readMetrics(runId, 'loss', { maxPoints: 2000 })!;
    assert.equal(series.totalInRange, n);
    assert.equal(series.downsampled, true);
    assert.ok(series.steps.length <= 2000 && series.steps.length > 1000, `${series.steps.length} points`);
    assert.equal(series.steps[0], 0);
    assert.equal(series.steps.at(-1), n - 1);
    assert.equal(Math.max(...series.values), 1e6);
    assert.equal(Math.min(...series.values), -1e6);
    assert.equal(series.steps[series.values.indexOf(1e6)], high);
    // Every point returned is a real point of the series, with its own wall time.
    series.steps.forEach((step, i) => assert.equal(series.wallTimesMs[i], 5e11 + 2 * step));
    assert.ok(series.steps.every((s, i) => i === 0 || s > series.steps[i - 1]!), 'steps ascend');
  });

  it('re-reads a zoomed range at full resolution once it fits, and down-samples a wider one', () => {
    const zoom = store.readMetrics(runId, 'loss', { fromStep: high - 500, toStep: high + 499, maxPoints: 2000 })!;
    assert.deepEqual([zoom.downsampled, zoom.totalInRange, zoom.steps.length], [false, 1000, 1000]);
    assert.deepEqual([zoom.steps[0], zoom.steps.at(-1)], [high - 500, high + 499]);
    const wide = store.readMetrics(runId, 'loss', { fromStep: 100_000.5, toStep: 300_000, maxPoints: 500 })!;
    assert.equal(wide.totalInRange, 200_000);
    assert.ok(wide.steps.length <= 500);
    assert.deepEqual([wide.steps[0], wide.steps.at(-1)], [100_001, 300_000]);
    assert.ok(wide.values.includes(-1e6), 'the low spike inside the range is kept');
  });
});

describe('MinMaxBucketer', () => {
  it('keeps the first and last position and each bucket extreme', () => {
    // Steps 0..9 in 2 buckets (maxPoints 6): [0, 4.5) and [4.5, 9].
    const values = [5, 1, 9, 4, 4, 3, 8, 0, 2, 6];
    const b = new MinMaxBucketer(0, 9, 6);
    b.addAll(100, Float64Array.from(values, (_, i) => i), Float64Array.from(values), -Infinity, Infinity);
    assert.deepEqual(b.chosen(), [100, 101, 102, 106, 107, 109]);
  });

  it('keeps a single point once, and skips points outside the step range', () => {
    const b = new MinMaxBucketer(3, 3, 10);
    b.addAll(0, Float64Array.from([1, 3, 9]), Float64Array.from([5, 1, 7]), 2, 4);
    assert.deepEqual(b.chosen(), [1]);
  });
});
