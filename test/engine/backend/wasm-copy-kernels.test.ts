// The wasm backend's Slice, Unpack, SplitV and Tile, which read their input in place: the same values
// and gradients as the cpu backend, for contiguous and strided cases, ranks 1 to 5, int32 and bool.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

const TOL = 1e-6;
const rand = (seed: number, shape: number[]) => tf.tensor(randomValues(seed, shape), shape);

describe('wasm copy kernels', () => {
  it('slice: contiguous and strided windows of ranks 1 to 5 match cpu', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => [
        tf.slice(rand(1, [7]), [2], [4]),
        tf.slice(rand(2, [5, 7]), [1, 0], [3, 7]), // whole rows: contiguous
        tf.slice(rand(3, [5, 7]), [1, 2], [3, 4]),
        tf.slice(rand(4, [3, 5, 7]), [1, 1, 3], [2, 3, 2]),
        tf.slice(rand(5, [2, 3, 5, 7]), [0, 1, 2, 1], [2, 2, 3, 5]),
        tf.slice(rand(6, [2, 3, 2, 5, 3]), [1, 0, 1, 2, 0], [1, 3, 1, 3, 2]),
        tf.slice(rand(7, [3, 5]), [1, 2], [0, 2]), // empty
        tf.slice(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'), [0, 1], [2, 2]),
        tf.slice(tf.tensor2d([[true, false, true], [false, true, true]], [2, 3], 'bool'), [1, 0], [1, 2]).cast('int32'),
      ],
      TOL,
      'slices',
    );
  });

  it('unstack and split along every axis match cpu', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = rand(8, [2, 3, 5]);
        return [
          ...tf.unstack(x, 0),
          ...tf.unstack(x, 1),
          ...tf.unstack(x, 2),
          ...tf.split(x, 3, 1),
          ...tf.split(x, [1, 4], 2),
          ...tf.split(x, [2, 0], 0),
          ...tf.unstack(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), 1),
        ];
      },
      TOL,
      'unstack / split',
    );
  });

  it('tile over one or several axes, ranks 1 to 4, matches cpu', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => [
        tf.tile(rand(9, [3]), [4]),
        tf.tile(rand(10, [2, 3]), [3, 1]),
        tf.tile(rand(11, [2, 3]), [1, 4]),
        tf.tile(rand(12, [2, 1, 3]), [2, 5, 2]),
        tf.tile(rand(13, [2, 3, 1, 2]), [1, 2, 3, 2]),
        tf.tile(rand(14, [2, 3]), [0, 2]),
        tf.tile(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), [2, 3]),
      ],
      TOL,
      'tiles',
    );
  });

  it('gives the same gradients through slice, unstack, split and tile', async (t) => {
    if (!(await wasmHere(t))) return;
    const weights = (seed: number, shape: number[]) => tf.tensor(randomValues(seed, shape), shape);
    await expectWasmMatchesCpu(
      () =>
        tf.grads((x: tf.Tensor) => {
          const parts = tf.unstack(x, 1); // 3 × [2, 5]
          const halves = tf.split(parts[1]!, [2, 3], 1);
          const window = tf.slice(x, [0, 1, 1], [2, 2, 3]);
          const tiled = tf.tile(parts[2]!.expandDims(1), [1, 4, 1]);
          return parts[0]!.mul(weights(20, [2, 5])).sum()
            .add(halves[1]!.square().sum())
            .add(window.mul(weights(21, [2, 2, 3])).sum())
            .add(tiled.mul(weights(22, [2, 4, 5])).sum());
        })([rand(15, [2, 3, 5])]),
      1e-5,
      'gradients',
    );
  });

  it('leaves no tensor behind', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const x = rand(16, [3, 4, 5]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.slice(x, [1, 1, 1], [2, 2, 2]);
      tf.unstack(x, 2);
      tf.split(x, 2, 1);
      tf.tile(x, [2, 1, 1]);
    });
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    await selectBackend('cpu');
  });
});
