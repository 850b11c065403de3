// The bench's profile of a training step: a whole number of kernels, the same on every call, that
// grows with the work a step does (more recurrent hops, more kernels), their time broken down by
// kernel name, and no tensor left behind.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { trainingStepProfile } from '../../../engine/training/throughput';
import { backendsHere } from '../../helpers/backends';

const ebmm = (hops: number) => ({
  model: 'ebmm',
  task: 'binary-recall',
  set: { 'task.dim': 7, 'task.setSize': 3, 'task.corruptBits': 2, budgetFloats: 17, hidden: 5, hops, writeSteps: 1, readSteps: 2, batchSize: 2 },
});

describe('trainingStepProfile', () => {
  before(async () => {
    await backendsHere();
  });

  it('counts the kernels of one step, the same each time, more for a deeper energy, and times them by name', async () => {
    const before = tf.memory().numTensors;
    const two = await trainingStepProfile(ebmm(2));
    assert.ok(Number.isInteger(two.kernels) && two.kernels > 100, `kernels per step: ${two.kernels}`);
    assert.equal((await trainingStepProfile(ebmm(2))).kernels, two.kernels);
    const four = await trainingStepProfile(ebmm(4));
    assert.ok(four.kernels > two.kernels, `4 hops ${four.kernels} vs 2 hops ${two.kernels}`);
    // The breakdown adds up to the totals, largest first, and names the energy's products.
    assert.equal(two.byKernel.reduce((n, k) => n + k.count, 0), two.kernels);
    assert.ok(Math.abs(two.byKernel.reduce((n, k) => n + k.ms, 0) - two.kernelMs) < 1e-9);
    assert.ok(two.kernelMs > 0);
    assert.ok(two.sampleMs > 0, `drawing an episode took ${two.sampleMs} ms`);
    assert.deepEqual(two.byKernel.map((k) => k.ms), [...two.byKernel.map((k) => k.ms)].sort((a, b) => b - a));
    assert.ok(two.byKernel.some((k) => k.name === 'BatchMatMul' && k.count > 0), two.byKernel.map((k) => k.name).join(', '));
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });
});
