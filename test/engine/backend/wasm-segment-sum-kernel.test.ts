// The wasm UnsortedSegmentSum kernel against the cpu backend's, directly and through the gradients
// that use it (gather, embeddings).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { Rng } from '../../../engine/core/random';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

function ids(seed: number, count: number, range: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.int(range));
}

describe('wasm UnsortedSegmentSum', () => {
  it('matches cpu for float rows, repeated ids and ids out of range (dropped)', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = tf.tensor(randomValues(1, [7, 3]), [7, 3]);
        const segments = tf.tensor1d([4, 0, 4, -1, 2, 5, 0], 'int32');
        return tf.unsortedSegmentSum(x, segments, 5);
      },
      1e-6,
      '7×3 rows into 5 segments',
    );
  });

  it('matches cpu for int32 values and for rows of rank 2', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => [
        tf.unsortedSegmentSum(tf.tensor1d([3, -2, 7, 11, 5], 'int32'), tf.tensor1d([1, 1, 0, 2, 1], 'int32'), 3),
        tf.unsortedSegmentSum(tf.tensor(randomValues(2, [6, 2, 3]), [6, 2, 3]), tf.tensor1d(ids(3, 6, 4), 'int32'), 4),
      ],
      1e-6,
      'int32 and rank-3 inputs',
    );
  });

  it('returns int32 for int32 input and zeros for empty segments', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const out = tf.unsortedSegmentSum(tf.tensor1d([2, 3], 'int32'), tf.tensor1d([0, 0], 'int32'), 3);
    assert.equal(out.dtype, 'int32');
    assert.deepEqual(Array.from(out.dataSync()), [5, 0, 0]);
    out.dispose();
    await selectBackend('cpu');
  });

  it("gives cpu's gradients through gather (axes 0 and 1, 2-D ids) and unsortedSegmentSum", async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const table = tf.tensor(randomValues(4, [9, 5]), [9, 5]);
        const wide = tf.tensor(randomValues(5, [3, 7, 2]), [3, 7, 2]);
        const tokens = tf.tensor2d([ids(6, 4, 9), ids(7, 4, 9)], [2, 4], 'int32');
        const columns = tf.tensor1d(ids(8, 5, 7), 'int32');
        const segments = tf.tensor1d(ids(9, 9, 3), 'int32');
        return [
          tf.grad((w: tf.Tensor) => tf.gather(w, tokens).square().sum())(table),
          tf.grad((w: tf.Tensor) => tf.gather(w, columns, 1).sin().sum())(wide),
          tf.grad((w: tf.Tensor) => tf.unsortedSegmentSum(w, segments, 3).square().sum())(table),
        ];
      },
      1e-5,
      'gather and segment-sum gradients',
    );
  });
});
