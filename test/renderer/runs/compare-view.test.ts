// The pure parts of the Compare view: how many points per run to ask for, and which way is best.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricGoal, pointsPerRun } from '../../../renderer/runs/compare-view';

describe('pointsPerRun()', () => {
  it('asks for about two points per pixel, sharing a budget of 400k points across many runs', () => {
    assert.equal(pointsPerRun(3, 900), 1800);
    assert.equal(pointsPerRun(200, 900), 1800);
    assert.equal(pointsPerRun(1000, 900), 400);
    assert.equal(pointsPerRun(5000, 900), 200);
  });
});

describe('metricGoal()', () => {
  it('takes losses and errors as lower-is-better and accuracies and recalls as higher-is-better', () => {
    assert.deepEqual(['loss', 'error_bits', 'loss/kl', 'mse'].map(metricGoal), ['min', 'min', 'min', 'min']);
    assert.deepEqual(['accuracy', 'recall_acc', 'val/auc', 'f1'].map(metricGoal), ['max', 'max', 'max', 'max']);
  });
});
