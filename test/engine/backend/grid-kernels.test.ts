// The grid kernels behind core/grid-ops.ts (patches and fold, stride-2 subsampling and pooling with
// their adjoints) on wasm and cpu: the same values and gradients, to the second order, as the
// one-hot-filter convolutions they replace, on odd and even sides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { installGridKernels } from '../../../engine/backend/grid-kernels';
import { selectBackend } from '../../../engine/backend/select';
import { averagePoolPair, GRID_KERNELS, patchPair, subsamplePair } from '../../../engine/core/grid-ops';
import { backendsHere } from '../../helpers/backends';
import { expectClose } from '../../helpers/tensors';
import { randomValues } from './on-backends';

const rand = (seed: number, shape: number[]) => tf.tensor(randomValues(seed, shape), shape);

/** Every map and its adjoint on a 2×7×6×3 grid, and gradients through them (second order for patches). */
function everything(): tf.Tensor[] {
  return tf.tidy(() => {
    const x = rand(1, [2, 7, 6, 3]);
    const out: tf.Tensor[] = [];
    for (const k of [3, 5]) {
      const { forward: patches, backward: fold } = patchPair(k);
      out.push(patches(x), fold(rand(2 + k, [2, 7, 6, k * k * 3])));
    }
    const sub = subsamplePair(7, 6);
    const pool = averagePoolPair(7, 6);
    out.push(sub.forward(x), sub.backward(rand(10, [2, 4, 3, 3])), pool.forward(x), pool.backward(rand(11, [2, 4, 3, 3])));
    const w = rand(12, [2, 4, 3, 27]);
    const f = (y: tf.Tensor) => sub.forward(patchPair(3).forward(pool.backward(pool.forward(y)))).mul(w).sum();
    out.push(tf.grad(f)(x));
    // A second derivative: of ‖∂g/∂x‖² for a g that is not linear in x.
    const g = (y: tf.Tensor) => patchPair(3).forward(y).square().mul(rand(13, [2, 7, 6, 27])).sum();
    out.push(tf.grad((y: tf.Tensor) => tf.grad(g)(y).square().sum())(x));
    return out;
  });
}

function withoutKernels<T>(backend: 'wasm' | 'cpu', fn: () => T): T {
  for (const name of Object.values(GRID_KERNELS)) tf.unregisterKernel(name, backend);
  try {
    return fn();
  } finally {
    installGridKernels(backend);
  }
}

describe('grid kernels', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}: the one-hot convolutions' values and gradients`, async (t) => {
      if (!(await backendsHere()).includes(backend)) return t.skip(`the ${backend} backend does not load here`);
      await selectBackend(backend);
      for (const name of Object.values(GRID_KERNELS)) assert.ok(tf.getKernel(name, backend), `${name} is not registered for ${backend}`);
      const fast = everything();
      const slow = withoutKernels(backend, everything);
      fast.forEach((f, i) => {
        assert.deepEqual(f.shape, slow[i]!.shape, `${backend} output ${i}`);
        expectClose(f.dataSync(), slow[i]!.dataSync(), 1e-4, `${backend} output ${i}`);
      });
      tf.dispose([...fast, ...slow]);
      await selectBackend('cpu');
    });
  }
});
