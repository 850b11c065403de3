// Comparison figures as data (curves, seed groups, capacity curves) and the CSV of what they plot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FigureRequest } from '../../../engine/api/figure';
import type { RunId } from '../../../engine/api/schemas';
import { capacityFigure, comparisonFigure, curveFigure, figureCsv, FigureError, legendNames } from '../../../renderer/plots/comparison-figure';
import { emaSmooth } from '../../../renderer/plots/ema-smooth';
import { runSummary } from '../../helpers/run-summary';

function request(overrides: Partial<FigureRequest>): FigureRequest {
  return { runIds: [], metric: 'loss', x: 'step', smoothing: 0, groupBy: null, seriesBy: 'model', band: 'std', logX: false, logY: false, ...overrides };
}

const a = runSummary({ id: 1, seed: 1, taskConfig: { setSize: 16 }, startedMs: 10_000, finalMetrics: { loss: 1, error_bits: 0.5 } });
const b = runSummary({ id: 2, seed: 2, taskConfig: { setSize: 16 }, startedMs: 20_000, finalMetrics: { loss: 3, error_bits: 0.7 } });
const c = runSummary({ id: 3, seed: 1, taskConfig: { setSize: 32 }, startedMs: 30_000, finalMetrics: { loss: 2, error_bits: 1.5 } });
const series = (runId: number, values: number[], t0: number) => ({
  runId: runId as RunId,
  steps: values.map((_, i) => (i + 1) * 10),
  values,
  wallTimesMs: values.map((_, i) => t0 + (i + 1) * 500),
});
const data = [series(1, [4, 3, 2, 1], 10_000), series(2, [6, 5, 4, 3], 20_000), series(3, [8, 6, 4, 2], 30_000)];

describe('curveFigure()', () => {
  it('draws one line per run, smoothed, with the raw values kept for the faint curve', () => {
    const fig = comparisonFigure(request({ smoothing: 0.5 }), [a, b, c], data);
    assert.equal(fig.kind, 'curves');
    assert.deepEqual(fig.lines.map((l) => l.label), ['slot-memory-1', 'slot-memory-2', 'slot-memory-3']);
    assert.deepEqual(fig.lines[0]!.x, [10, 20, 30, 40]);
    assert.deepEqual(fig.lines[0]!.y, emaSmooth([4, 3, 2, 1], 0.5));
    assert.deepEqual(fig.lines[0]!.raw, [4, 3, 2, 1]);
    assert.equal(comparisonFigure(request({}), [a], data).lines[0]!.raw, null);
  });

  it('draws against seconds since each run started on the time axis', () => {
    const fig = comparisonFigure(request({ x: 'time' }), [a, b], data);
    assert.deepEqual(fig.lines[1]!.x, [0.5, 1, 1.5, 2]);
    assert.equal(fig.xTitle, 'time (s)');
  });

  it('averages runs that differ only in seed, labelled by what else differs, with a band', () => {
    const fig = comparisonFigure(request({ groupBy: 'seed', band: 'minmax' }), [a, b, c], data);
    assert.deepEqual(fig.lines.map((l) => [l.label, l.runIds]), [
      ['task.setSize=16 (n=2)', [1, 2]],
      ['task.setSize=32 (n=1)', [3]],
    ]);
    assert.deepEqual(fig.lines[0]!.y, [5, 4, 3, 2]);
    assert.deepEqual(fig.lines[0]!.lower, [4, 3, 2, 1]);
    assert.deepEqual(fig.lines[0]!.upper, [6, 5, 4, 3]);
    assert.equal(fig.lines[1]!.lower, null, 'a group of one has no band');
  });

  it('groups by a parameter, and refuses one no run has, naming what exists', () => {
    const fig = comparisonFigure(request({ groupBy: 'task.setSize' }), [a, b, c], data);
    assert.deepEqual(fig.lines.map((l) => l.label), ['task.setSize=16 (n=2)', 'task.setSize=32 (n=1)']);
    assert.throws(() => curveFigure([], request({ x: 'memoryFloats' })), FigureError);
    assert.throws(() => comparisonFigure(request({ groupBy: 'task.bogus' }), [a, b], data), /group by "task\.bogus": no run has this parameter; parameters: seed, model/);
  });

  it('notes runs without points and refuses a figure with none', () => {
    const fig = comparisonFigure(request({}), [a, b], [data[0]!, { ...series(2, [], 0) }]);
    assert.deepEqual(fig.notes, ['run 2 (slot-memory-2) has no points of loss']);
    assert.throws(() => comparisonFigure(request({}), [a], [series(1, [], 0)]), /metric "loss": none of the runs has points of it/);
  });
});

describe('capacityFigure()', () => {
  it('puts each run at (parameter, final metric), averages seeds at one x, and draws a line per model', () => {
    const h = runSummary({ id: 4, model: 'hopfield', taskConfig: { setSize: 16 }, finalMetrics: { error_bits: 0.2 } });
    const fig = capacityFigure([a, b, c, h], request({ metric: 'error_bits', x: 'task.setSize', band: 'minmax' }));
    assert.deepEqual(fig.lines.map((l) => [l.label, l.x, l.y, l.count]), [
      ['hopfield', [16], [0.2], [1]],
      ['slot-memory', [16, 32], [0.6, 1.5], [2, 1]],
    ]);
    assert.deepEqual(fig.lines[1]!.pointRuns, [[1, 2], [3]]);
    assert.deepEqual([fig.lines[1]!.lower, fig.lines[1]!.upper], [[0.5, 1.5], [0.7, 1.5]]);
  });

  it('refuses an x that is not a numeric parameter, listing those that are', () => {
    assert.throws(() => capacityFigure([a, b], request({ metric: 'error_bits', x: 'task' })), /x "task": not a numeric parameter of these runs; use step, time or one of seed, memoryFloats, task\.setSize/);
  });
});

describe('figureCsv()', () => {
  it('writes the request and every run with its parameters in the header, then one row per plotted point', () => {
    const fig = comparisonFigure(request({ groupBy: 'seed', smoothing: 0.5 }), [a, b, c], data);
    const csv = figureCsv(fig, request({ groupBy: 'seed', smoothing: 0.5 }), [a, b, c]).split('\n');
    assert.equal(csv[0], '# Engram figure (training curves): loss against step');
    assert.match(csv[1]!, /^# smoothing: EMA weight 0\.5; group: seed; band: std/);
    assert.match(csv[2]!, /^# run 1 "slot-memory-1" FINISHED: model=slot-memory task=binary-recall seed=1 memoryFloats=512 task\.setSize=16/);
    const header = csv.indexOf('line,runs,x,y,y_raw,y_lower,y_upper,n');
    assert.equal(header, 5);
    const rows = csv.slice(header + 1).filter(Boolean);
    assert.equal(rows.length, 8);
    const [label, runs, x, y, raw, lower, upper, n] = rows[0]!.split(',');
    assert.deepEqual([label, runs, x, n], ['task.setSize=16 (n=2)', '1 2', '10', '2']);
    assert.equal(Number(y), 5);
    assert.equal(Number(raw), 5);
    assert.equal(Number(lower), 4);
    assert.equal(Number(upper), 6);
  });

  it('quotes labels that hold commas or quotes', () => {
    const named = runSummary({ id: 9, name: 'a, "b"' });
    const fig = comparisonFigure(request({}), [named], [series(9, [1], 0)]);
    assert.match(figureCsv(fig, request({}), [named]), /\n"a, ""b""",9,10,1,,,,\n$/);
  });
});

describe('legendNames()', () => {
  it('uses run names, adding the id where two share one', () => {
    const names = legendNames([runSummary({ id: 1, name: 'x' }), runSummary({ id: 2, name: 'x' }), runSummary({ id: 3, name: 'y' })]);
    assert.deepEqual([...names.values()], ['x (run 1)', 'x (run 2)', 'y']);
  });
});
