// The wasm backend's Tanh as 2σ(2x) − 1 on XNNPACK: tanh's values over the whole range (tiny, large
// and huge arguments), and its gradients, including smoothTanh's second derivative, as on cpu.
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { smoothTanh } from '../../../engine/core/higher-order-ops';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

describe('wasm Tanh kernel', () => {
  it('gives tanh within float32 rounding, from tiny to huge arguments', async (t) => {
    if (!(await wasmHere(t))) return;
    const edges = [0, 1e-8, -1e-8, 1e-4, -0.5, 0.5, 3, -3, 9, -9, 20, -20, 88, -88, 1e6, -1e6];
    await expectWasmMatchesCpu(() => [tf.tanh(tf.tensor1d(edges)), tf.tanh(tf.tensor(randomValues(1, [33, 17]), [33, 17]).mul(4))], 1e-6, 'tanh values');
  });

  it('gives the gradients of tanh and smoothTanh, to the second order', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = tf.tensor(randomValues(2, [5, 7]), [5, 7]).mul(2);
        return [
          tf.grad((v: tf.Tensor) => tf.tanh(v).sum())(x),
          tf.grad((v: tf.Tensor) => tf.grad((u: tf.Tensor) => smoothTanh(u).sum())(v).sum())(x),
        ];
      },
      1e-5,
      'tanh gradients',
    );
  });
});
