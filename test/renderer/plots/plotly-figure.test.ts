// Translating figure specs into plotly's data and layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineFigureSpec, LineTraceSpec } from '../../../renderer/plots/figure-spec';
import { toPlotlyFigure } from '../../../renderer/plots/plotly-figure';

function trace(name: string, renderer: 'svg' | 'webgl' = 'svg', markers = false): LineTraceSpec {
  return { name, x: [1, 2, 3], y: [3, 2, 1], markers, renderer };
}

function figure(panels: LineTraceSpec[][], logY = false): LineFigureSpec {
  return { kind: 'lines', xTitle: 'step', logY, viewKey: 'v1', panels: panels.map((traces, i) => ({ title: `p${i}`, traces })) };
}

type Axis = { domain: [number, number]; type: string; title: { text: string } };

describe('toPlotlyFigure', () => {
  it('puts the traces of each panel on that panel’s y-axis and one shared x-axis', () => {
    const { data } = toPlotlyFigure(figure([[trace('a'), trace('b')], [trace('c')], [trace('d')]]));
    assert.deepEqual(
      data.map((t) => [t.name, t.xaxis, t.yaxis]),
      [
        ['a', 'x', 'y'],
        ['b', 'x', 'y'],
        ['c', 'x', 'y2'],
        ['d', 'x', 'y3'],
      ],
    );
  });

  it('stacks panels top to bottom without overlap and draws the x-axis under the last one', () => {
    const { layout } = toPlotlyFigure(figure([[trace('a')], [trace('b')], [trace('c')]]));
    const axes = ['yaxis', 'yaxis2', 'yaxis3'].map((k) => layout[k] as Axis);
    assert.deepEqual(
      axes.map((a) => a.title.text),
      ['p0', 'p1', 'p2'],
    );
    for (const a of axes) assert.ok(a.domain[0] >= 0 && a.domain[1] <= 1 && a.domain[0] < a.domain[1]);
    assert.ok(axes[0]!.domain[0] > axes[1]!.domain[1], 'panel 0 is not above panel 1');
    assert.ok(axes[1]!.domain[0] > axes[2]!.domain[1], 'panel 1 is not above panel 2');
    assert.equal((layout['xaxis'] as { anchor: string }).anchor, 'y3');
  });

  it('grows the figure with its panels', () => {
    const one = toPlotlyFigure(figure([[trace('a')]])).layout['height'] as number;
    const three = toPlotlyFigure(figure([[trace('a')], [trace('b')], [trace('c')]])).layout['height'] as number;
    assert.ok(three > one);
  });

  it('maps renderer, markers and scale to plotly attributes', () => {
    const { data, layout } = toPlotlyFigure(figure([[trace('a', 'webgl'), trace('b', 'svg', true)], [trace('c')]], true));
    assert.deepEqual(
      data.map((t) => [t.type, t.mode]),
      [
        ['scattergl', 'lines'],
        ['scatter', 'lines+markers'],
        ['scatter', 'lines'],
      ],
    );
    assert.equal((layout['yaxis'] as Axis).type, 'log');
    assert.equal((layout['yaxis2'] as Axis).type, 'log');
    assert.equal(layout['uirevision'], 'v1');
  });

  it('gives every trace its own colour and its own copy of the data', () => {
    const spec = figure([[trace('a'), trace('b')], [trace('c')]]);
    const { data } = toPlotlyFigure(spec);
    assert.equal(new Set(data.map((t) => t.line.color)).size, 3);
    data[0]!.x.push(4);
    assert.deepEqual(spec.panels[0]!.traces[0]!.x, [1, 2, 3]);
  });
});
