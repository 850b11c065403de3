// How run fields are written in the UI.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatMetricValue, summariseMetrics } from '../../../renderer/runs/run-format';

describe('formatMetricValue', () => {
  it('keeps four significant digits', () => {
    assert.equal(formatMetricValue(7.75412), '7.754');
    assert.equal(formatMetricValue(0.123456), '0.1235');
    assert.equal(formatMetricValue(1234.5), '1235');
    assert.equal(formatMetricValue(0), '0');
    assert.equal(formatMetricValue(-2.5), '-2.5');
  });

  it('switches to exponent notation for very large and very small magnitudes', () => {
    assert.equal(formatMetricValue(123456), '1.23e+5');
    assert.equal(formatMetricValue(0.000123), '1.23e-4');
  });

  it('writes non-finite values as they are', () => {
    assert.equal(formatMetricValue(Number.NaN), 'NaN');
    assert.equal(formatMetricValue(-Infinity), '-Infinity');
  });
});

describe('formatDuration', () => {
  it('uses the largest sensible unit', () => {
    assert.equal(formatDuration(420), '0.4 s');
    assert.equal(formatDuration(12_400), '12 s');
    assert.equal(formatDuration(185_000), '3 min 05 s');
    assert.equal(formatDuration(7_620_000), '2 h 07 min');
  });
});

describe('summariseMetrics', () => {
  it('shows top-level metrics in name order and counts the rest', () => {
    const summary = summariseMetrics({ loss: 0.5, 'loss/kl': 0.1, error_bits: 7.25, accuracy: 0.875, recall: 1 }, 3);
    assert.equal(summary.text, 'accuracy 0.875 · error_bits 7.25 · loss 0.5');
    assert.equal(summary.hidden, 2);
  });

  it('is empty for a run without metrics', () => {
    assert.deepEqual(summariseMetrics({}), { text: '', hidden: 0 });
  });
});
