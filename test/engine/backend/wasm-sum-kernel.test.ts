// The wasm backend's Sum over leading axes (every bias gradient), in a loop and (many rows) on the
// native BLAS: the same values as the cpu backend with and without keepDims, other reductions still
// right, and a bias gradient through it.
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

const rand = (seed: number, shape: number[]) => tf.tensor(randomValues(seed, shape), shape);

describe('wasm Sum kernel', () => {
  it('sums over leading axes, and over any other axes, as on cpu', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = rand(1, [5, 3, 7]);
        return [
          x.sum(0),
          x.sum([0, 1]),
          x.sum([1, 0], true),
          x.sum(0, true),
          x.sum(2), // innermost: the backend's own
          x.sum(1),
          x.sum([0, 2]),
          x.sum(),
          rand(2, [9]).sum(0),
          rand(5, [40, 3, 7]).sum(0), // 40 rows: the native BLAS's share, where it is loaded
          rand(6, [8, 6, 7]).sum([0, 1], true),
          tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32').sum(0),
        ];
      },
      1e-5,
      'sums',
    );
  });

  it("gives a broadcast bias add's gradient as on cpu", async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => tf.grads((b: tf.Tensor) => rand(3, [4, 6, 5]).add(b).square().sum())([rand(4, [5])]),
      1e-5,
      'bias gradient',
    );
  });
});
