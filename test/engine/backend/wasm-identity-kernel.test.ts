// The wasm backend's Identity without a copy: a clone shares its input's memory, outlives the input,
// and the tensors tfjs saves for gradients (clones) give the right gradients, second ones included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

describe('wasm Identity kernel', () => {
  it('shares memory with its input, and the clone outlives the input', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const backend = tf.backend() as unknown as { getMemoryOffset(dataId: tf.DataId): number };
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = x.clone();
    assert.equal(backend.getMemoryOffset(y.dataId), backend.getMemoryOffset(x.dataId));
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    const before = tf.memory().numBytes;
    y.dispose();
    assert.ok(tf.memory().numBytes < before, 'disposing the last reference freed the memory');
    await selectBackend('cpu');
  });

  it('keeps what gradients save right, to the second derivative', async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = tf.tensor(randomValues(1, [3, 4]), [3, 4]);
        const f = (v: tf.Tensor) => v.mul(v).mul(v).add(v.sin()).sum();
        const first = tf.grad(f)(x);
        const second = tf.grad((v: tf.Tensor) => tf.grad(f)(v).sum())(x);
        return [first, second];
      },
      1e-5,
      'first and second gradients',
    );
  });
});
