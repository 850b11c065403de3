// Comparison figures as plotly traces: vector-only for print, WebGL on screen for many points.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComparisonFigure, FigureLine } from '../../../renderer/plots/comparison-figure';
import { comparisonPlotly, SCREEN_WEBGL_MIN_POINTS, withAlpha } from '../../../renderer/plots/comparison-plotly';

function line(n: number, band: boolean, raw: boolean): FigureLine {
  const x = Array.from({ length: n }, (_, i) => i);
  return {
    label: `line ${n}`,
    runIds: [],
    x,
    y: x.map((v) => v * 2),
    raw: raw ? x.map((v) => v * 3) : null,
    lower: band ? x.map((v) => v * 2 - 1) : null,
    upper: band ? x.map((v) => v * 2 + 1) : null,
    count: null,
    pointRuns: null,
    markers: false,
  };
}

function figure(lines: FigureLine[]): ComparisonFigure {
  return { kind: 'curves', title: '', xTitle: 'step', yTitle: 'loss', logX: false, logY: true, lines, notes: [] };
}

describe('comparisonPlotly()', () => {
  it('draws band, faint raw curve and line for each line, the band as one closed polygon', () => {
    const { data } = comparisonPlotly(figure([line(3, true, true)]), { kind: 'screen', heightPx: 300, viewKey: 'k' });
    assert.deepEqual(data.map((t) => t['name']), ['line 3 band', 'line 3 raw', 'line 3']);
    assert.deepEqual(data[0]!['x'], [0, 1, 2, 2, 1, 0]);
    assert.deepEqual(data[0]!['y'], [1, 3, 5, 3, 1, -1]);
    assert.equal(data[0]!['fill'], 'toself');
  });

  it('uses WebGL on screen only past the point threshold, and SVG traces in print whatever the size', () => {
    const many = figure([line(SCREEN_WEBGL_MIN_POINTS + 1, false, false)]);
    const few = figure([line(10, false, false)]);
    assert.equal(comparisonPlotly(many, { kind: 'screen', heightPx: 300, viewKey: 'k' }).data[0]!['type'], 'scattergl');
    assert.equal(comparisonPlotly(few, { kind: 'screen', heightPx: 300, viewKey: 'k' }).data[0]!['type'], 'scatter');
    const print = comparisonPlotly(figure([line(50_000, true, true)]), { kind: 'print', widthPx: 336, heightPx: 229, fontFamily: 'Inter' });
    assert.ok(print.data.every((t) => t['type'] === 'scatter'));
    assert.deepEqual([print.layout['width'], print.layout['height']], [336, 229]);
    assert.equal((print.layout['font'] as { family: string }).family, 'Inter');
    assert.equal((print.layout['yaxis'] as { type: string }).type, 'log');
    assert.equal((print.config as { staticPlot: boolean }).staticPlot, true);
  });

  it('writes colours with alpha for bands', () => {
    assert.equal(withAlpha('#0072B2', 0.2), 'rgba(0, 114, 178, 0.2)');
  });
});
