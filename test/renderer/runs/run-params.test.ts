// A run's flat parameters, and which of them differ across runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { differingParams, numericParamKeys, paramKeys, paramValue, runParams } from '../../../renderer/runs/run-params';
import { runSummary } from '../../helpers/run-summary';

describe('runParams()', () => {
  it('flattens model, task, seed, memory floats and scoped config, objects as JSON', () => {
    const run = runSummary({ id: 3, seed: 7, modelConfig: { slots: 5 }, taskConfig: { setSize: 2, noise: { p: 0.1 } }, training: { steps: 11 }, memoryFloats: 35 });
    assert.deepEqual([...runParams(run)], [
      ['model', 'slot-memory'],
      ['task', 'binary-recall'],
      ['seed', 7],
      ['memoryFloats', 35],
      ['model.slots', 5],
      ['task.noise', '{"p":0.1}'],
      ['task.setSize', 2],
      ['training.steps', 11],
    ]);
    assert.equal(paramValue(run, 'task.setSize'), 2);
    assert.equal(paramValue(run, 'task.nope'), undefined);
  });
});

describe('differingParams()', () => {
  it('keeps only the parameters whose values are not the same everywhere, a missing one counting as different', () => {
    const runs = [
      runSummary({ id: 1, seed: 1, taskConfig: { setSize: 16 }, modelConfig: { slots: 5 } }),
      runSummary({ id: 2, seed: 2, taskConfig: { setSize: 16 }, modelConfig: { slots: 5 } }),
      runSummary({ id: 3, seed: 1, taskConfig: { setSize: 32 }, modelConfig: { slots: 5, extra: true } }),
    ];
    assert.deepEqual(differingParams(runs), ['seed', 'model.extra', 'task.setSize']);
    assert.deepEqual(differingParams(runs.slice(0, 1)), []);
  });

  it('lists numeric parameters, leading ones first', () => {
    const runs = [runSummary({ id: 1, taskConfig: { setSize: 3, mode: 'a' } }), runSummary({ id: 2, taskConfig: { setSize: 5, mode: 'b' } })];
    assert.deepEqual(paramKeys(runs), ['model', 'task', 'seed', 'memoryFloats', 'task.mode', 'task.setSize', 'training.steps']);
    assert.deepEqual(numericParamKeys(runs), ['seed', 'memoryFloats', 'task.setSize', 'training.steps']);
  });
});
