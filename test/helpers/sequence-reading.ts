// Shared assertion for the models that read a sequence (engine/models/sequence-reading.ts): each query
// is an independent continuation of the written state.
import * as tf from '@tensorflow/tfjs';
import type { MemoryModel } from '../../engine/core/memory-model';
import { disposeRead, disposeState } from '../../engine/core/tensors';
import { expectClose, values } from './tensors';

/**
 * Writes 2 episodes of 4 random items of width `dim`, reads 3 queries together, and asserts that each
 * query read alone gives what it gave among the others.
 */
export function expectQueriesReadIndependently(model: MemoryModel, dim: number): void {
  const items = tf.randomNormal([2, 4, dim], 0, 1, 'float32', 1);
  const queries = tf.randomNormal([2, 3, dim], 0, 1, 'float32', 2);
  const state = model.write(model.initialState(2), items);
  const together = model.read(state, queries);
  const outputDim = together.retrieved.shape[2]!;
  for (let j = 0; j < 3; j++) {
    const alone = model.read(state, queries.slice([0, j, 0], [2, 1, dim]));
    const expected = tf.tidy(() => values(together.retrieved.slice([0, j, 0], [2, 1, outputDim])));
    expectClose(values(alone.retrieved), expected, 1e-5, `query ${j} read alone`);
    disposeRead(alone);
  }
  tf.dispose([items, queries]);
  disposeState(state);
  disposeRead(together);
}
