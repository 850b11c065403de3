// matMul2d (engine/core/layers.ts) on the wasm backend, whose BatchMatMul takes transpose flags at full
// speed: the same values and gradients as tf.matMul on cpu, and second derivatives that agree with
// finite differences, as EBMM's writing loss needs them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { matMul2d } from '../../../engine/core/layers';
import { expectClose } from '../../helpers/tensors';
import { expectWasmMatchesCpu, randomValues, wasmHere } from './on-backends';

const X_SHAPE: [number, number] = [2, 3];
const W_SHAPE: [number, number] = [3, 5];
const xValues = randomValues(1, X_SHAPE);
const wValues = randomValues(2, W_SHAPE);

/** f(x, W) = ‖∂E/∂x‖², E = Σ (xW)³ / 3, so ∂E/∂x = (xW)² Wᵀ: its gradient differentiates matMul2d twice. */
function writingLoss(x: tf.Tensor, w: tf.Tensor): tf.Scalar {
  const energy = (xx: tf.Tensor) => {
    const u = matMul2d(xx as tf.Tensor2D, w as tf.Tensor2D);
    return u.mul(u).mul(u).div(3).sum() as tf.Scalar;
  };
  return tf.grad(energy)(x).square().sum() as tf.Scalar;
}

/** The same f in float64, for finite differences. */
function writingLoss64(x: ArrayLike<number>, w: ArrayLike<number>): number {
  const [n, d] = X_SHAPE;
  const k = W_SHAPE[1];
  let total = 0;
  for (let r = 0; r < n; r++) {
    const u = Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[r * d + i]! * w[i * k + j]!;
      return s;
    });
    for (let i = 0; i < d; i++) {
      let g = 0;
      for (let j = 0; j < k; j++) g += u[j]! * u[j]! * w[i * k + j]!;
      total += g * g;
    }
  }
  return total;
}

function centralDifferences(f: (v: Float64Array) => number, at: ArrayLike<number>, h = 1e-5): number[] {
  return Array.from(at, (_, i) => {
    const plus = Float64Array.from(at);
    const minus = Float64Array.from(at);
    plus[i] = plus[i]! + h;
    minus[i] = minus[i]! - h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

describe('matMul2d on wasm', () => {
  it("gives tf.matMul's value and gradients, as on cpu", async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const a = tf.tensor(randomValues(3, [7, 4]), [7, 4]) as tf.Tensor2D;
        const b = tf.tensor(randomValues(4, [4, 6]), [4, 6]) as tf.Tensor2D;
        const weights = tf.tensor(randomValues(5, [7, 6]), [7, 6]);
        const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) => matMul2d(p as tf.Tensor2D, q as tf.Tensor2D).mul(weights).sum())([a, b]);
        return [matMul2d(a, b), ...grads];
      },
      1e-5,
      'value and first gradients',
    );
  });

  it('runs its backward pass as flagged products, with no transpose ops', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const a = tf.tensor(randomValues(6, [5, 3]), [5, 3]) as tf.Tensor2D;
    const b = tf.tensor(randomValues(7, [3, 2]), [3, 2]) as tf.Tensor2D;
    const profile = await tf.profile(() => {
      tf.grads((p: tf.Tensor, q: tf.Tensor) => matMul2d(p as tf.Tensor2D, q as tf.Tensor2D).sum())([a, b]).forEach((g) => g.dispose());
    });
    assert.equal(profile.kernels.filter((k) => k.name === 'Transpose').length, 0);
    assert.equal(profile.kernels.filter((k) => k.name === 'BatchMatMul').length, 3);
    tf.dispose([a, b]);
    await selectBackend('cpu');
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`has second derivatives that match finite differences (${backend})`, async (t) => {
      if (!(await wasmHere(t))) return;
      await selectBackend(backend);
      const [gx, gw] = tf.tidy(() => {
        const x = tf.tensor(xValues, X_SHAPE);
        const w = tf.tensor(wValues, W_SHAPE);
        return tf.grads((xx: tf.Tensor, ww: tf.Tensor) => writingLoss(xx, ww))([x, w]);
      }) as [tf.Tensor, tf.Tensor];
      const expectedX = centralDifferences((v) => writingLoss64(v, wValues), xValues);
      const expectedW = centralDifferences((v) => writingLoss64(xValues, v), wValues);
      const scale = [...expectedX, ...expectedW].reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      expectClose(gx.dataSync(), expectedX, 1e-4 * scale, `d f / d x on ${backend}`);
      expectClose(gw.dataSync(), expectedW, 1e-4 * scale, `d f / d W on ${backend}`);
      tf.dispose([gx, gw]);
      await selectBackend('cpu');
    });
  }

  it('leaves no tensor behind across nested gradients', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const x = tf.variable(tf.tensor(xValues, X_SHAPE));
    const w = tf.variable(tf.tensor(wValues, W_SHAPE));
    const step = () => tf.tidy(() => void tf.variableGrads(() => writingLoss(x, w), [x, w]));
    step();
    const before = tf.memory().numTensors;
    step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, w]);
    await selectBackend('cpu');
  });
});
