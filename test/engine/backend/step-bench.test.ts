// The training-step benchmark runs both reference networks on wasm (the conv net needs the filter
// gradient kernel) and frees what it made. Times are not checked: they belong to the benchmark.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { benchNetworks, benchTrainingStep } from '../../../engine/backend/step-bench';
import { wasmHere } from './on-backends';

describe('benchTrainingStep', () => {
  for (const network of benchNetworks) {
    it(`trains the ${network} network on wasm and leaves no tensor behind`, async (t) => {
      if (!(await wasmHere(t))) return;
      await selectBackend('wasm');
      const before = tf.memory().numTensors;
      const result = benchTrainingStep({ network, warmupSteps: 0, timedSteps: 2 });
      assert.equal(result.backend, 'wasm');
      assert.equal(result.stepsMs.length, 2);
      assert.ok(result.stepsMs.every((ms) => Number.isFinite(ms) && ms >= 0));
      assert.equal(tf.memory().numTensors, before);
      await selectBackend('cpu');
    });
  }
});
