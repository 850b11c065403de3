// Reading the visible x-range out of plotly's relayout events (what triggers a re-query on zoom).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relayoutXRange } from '../../../renderer/plots/plotly-view';

describe('relayoutXRange()', () => {
  it('reads a zoom, an autorange and ignores changes that leave x alone', () => {
    assert.deepEqual(relayoutXRange({ 'xaxis.range[0]': 70, 'xaxis.range[1]': 20 }), [20, 70]);
    assert.deepEqual(relayoutXRange({ 'xaxis.range': [3, 9] }), [3, 9]);
    assert.equal(relayoutXRange({ 'xaxis.autorange': true, 'yaxis.autorange': true }), null);
    assert.equal(relayoutXRange({ 'yaxis.range[0]': 1, 'yaxis.range[1]': 2 }), undefined);
  });
});
