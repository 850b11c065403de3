// EMA smoothing of metric series.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emaSmooth } from '../../../renderer/plots/ema-smooth';

describe('emaSmooth()', () => {
  it('returns the values for weight 0 and starts from the first value, not from zero', () => {
    assert.deepEqual(emaSmooth([3, 5, 7], 0), [3, 5, 7]);
    const s = emaSmooth([4, 8], 0.5);
    assert.equal(s[0], 4);
    // (0.5·0.5·4 + 0.5·8) / (1 − 0.25) = 6.666…
    assert.ok(Math.abs(s[1]! - 20 / 3) < 1e-12);
  });

  it('passes non-finite values through without disturbing the average', () => {
    const s = emaSmooth([2, NaN, 2], 0.9);
    assert.equal(s[0], 2);
    assert.ok(Number.isNaN(s[1]));
    assert.ok(Math.abs(s[2]! - 2) < 1e-12);
  });

  it('refuses a weight outside [0, 1)', () => {
    assert.throws(() => emaSmooth([1], 1), /smoothing weight must be in \[0, 1\), got 1/);
  });
});
