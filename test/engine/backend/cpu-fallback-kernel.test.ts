// The generic fallback that runs cpu kernels for the wasm backend: complex64 values, array inputs,
// several outputs, strings, and that nothing is left behind on either backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

const TOL = 1e-5;

describe('cpu fallback kernels on wasm', () => {
  it('stores, reads and computes complex64 values as the cpu backend does', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const c = tf.complex(tf.tensor(randomValues(1, [2, 3]), [2, 3]), tf.tensor(randomValues(2, [2, 3]), [2, 3]));
        const d = c.add(c).mul(c).reshape([3, 2]); // complex arithmetic on wasm tensors
        return [c, tf.real(d), tf.imag(d), tf.abs(d), tf.concat([c, c], 1)];
      },
      TOL,
      'complex construction, arithmetic, real/imag/abs',
    );
  });

  it('runs the spectral ops (FFT, IFFT, rfft, irfft)', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = tf.tensor(randomValues(3, [3, 8]), [3, 8]);
        const spectrum = tf.spectral.rfft(x);
        const c = tf.complex(x, tf.tensor(randomValues(4, [3, 8]), [3, 8]));
        return [spectrum, tf.spectral.irfft(spectrum), tf.spectral.fft(c), tf.spectral.ifft(c)];
      },
      1e-4,
      'spectral ops',
    );
  });

  it('runs kernels with array inputs (einsum) and with several outputs (raggedRange)', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const a = tf.tensor(randomValues(5, [2, 3, 4]), [2, 3, 4]);
        const b = tf.tensor(randomValues(6, [2, 4, 5]), [2, 4, 5]);
        const ragged = tf.raggedRange([0, 5, 2], [3, 7, 9], [1, 1, 3]);
        return [tf.einsum('bij,bjk->bik', a, b), tf.einsum('bij->j', a), ragged.rtNestedSplits!, ragged.rtDenseValues!];
      },
      TOL,
      'einsum and raggedRange',
    );
  });

  it('runs string kernels', async (t) => {
    if (!(await wasmHere(t))) return;
    const replace = () => tf.tidy(() => tf.string.staticRegexReplace(['memory', 'mammoth'], 'm+', 'M').arraySync());
    await selectBackend('wasm');
    const onWasm = replace();
    await selectBackend('cpu');
    assert.deepEqual(onWasm, replace());
  });

  it("gives cpu's depthwiseConv2d gradient w.r.t. its input (DepthwiseConv2dNativeBackpropInput)", async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = tf.tensor(randomValues(7, [2, 6, 5, 3]), [2, 6, 5, 3]);
        const f = tf.tensor(randomValues(8, [3, 2, 3, 2]), [3, 2, 3, 2]) as tf.Tensor4D;
        return tf.grad((a: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, f, 2, 'same').square().sum())(x);
      },
      1e-4,
      'depthwise input gradient',
    );
  });

  it('leaves no tensor, no wasm data and no cpu data behind', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const cpu = tf.findBackend('cpu');
    const run = () =>
      tf.tidy(() => {
        const c = tf.complex([1, 2, 3], [4, 5, 6]);
        tf.abs(tf.spectral.fft(c)).dataSync();
        tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4])).dataSync();
      });
    run();
    const before = { tensors: tf.memory().numTensors, wasm: tf.backend().numDataIds(), cpu: cpu.numDataIds() };
    run();
    assert.deepEqual({ tensors: tf.memory().numTensors, wasm: tf.backend().numDataIds(), cpu: cpu.numDataIds() }, before);
    await selectBackend('cpu');
  });
});
