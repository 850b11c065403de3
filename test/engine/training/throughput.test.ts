// The bench's kernel count per training step: a whole number of kernels, the same on every call, that
// grows with the work a step does (more recurrent hops, more kernels) and leaves no tensor behind.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { trainingKernelsPerStep } from '../../../engine/training/throughput';
import { backendsHere } from '../../helpers/backends';

const ebmm = (hops: number) => ({
  model: 'ebmm',
  task: 'binary-recall',
  set: { 'task.dim': 7, 'task.setSize': 3, 'task.corruptBits': 2, budgetFloats: 17, hidden: 5, hops, writeSteps: 1, readSteps: 2, batchSize: 2 },
});

describe('trainingKernelsPerStep', () => {
  before(async () => {
    await backendsHere();
  });

  it('counts the kernels of one step, the same each time, more for a deeper energy', async () => {
    const before = tf.memory().numTensors;
    const two = await trainingKernelsPerStep(ebmm(2));
    assert.ok(Number.isInteger(two) && two > 100, `kernels per step: ${two}`);
    assert.equal(await trainingKernelsPerStep(ebmm(2)), two);
    const four = await trainingKernelsPerStep(ebmm(4));
    assert.ok(four > two, `4 hops ${four} vs 2 hops ${two}`);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });
});
