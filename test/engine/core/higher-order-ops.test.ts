// Derivatives of every order of the higher-order-safe ops, against float64 references computed in
// plain JS, and the stop-gradient's tape and ownership behaviour.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nestedMatMul, smoothSigmoid, smoothTanh, stopGradient } from '../../../engine/core/higher-order-ops';
import { Rng } from '../../../engine/core/random';
import { backendsHere } from '../../helpers/backends';
import { expectClose, expectNoTensorLeak, values } from '../../helpers/tensors';

/** d^order/dx^order of a scalar function at x, by central differences in float64. */
function finiteDerivative(f: (x: number) => number, x: number, order: number, h = 1e-3): number {
  if (order === 0) return f(x);
  return (finiteDerivative(f, x + h, order - 1, h) - finiteDerivative(f, x - h, order - 1, h)) / (2 * h);
}

/** The order-th derivative of an elementwise op at each point, by nesting tf.grad. */
function nestedDerivative(op: (x: tf.Tensor) => tf.Tensor, points: number[], order: number): number[] {
  return tf.tidy(() => {
    let f = (x: tf.Tensor): tf.Tensor => op(x);
    for (let i = 0; i < order; i++) {
      const inner = f;
      f = (x: tf.Tensor) => tf.grad((y: tf.Tensor) => inner(y).sum())(x);
    }
    return values(f(tf.tensor1d(points)));
  });
}

const points = [-7.5, -2.1, -0.6, 0, 0.37, 1.3, 4.2, 30];
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

describe('higher-order ops', () => {
  before(async () => {
    await backendsHere();
  });

  for (const [name, op, reference] of [
    ['smoothTanh', smoothTanh, Math.tanh],
    ['smoothSigmoid', smoothSigmoid, logistic],
  ] as const) {
    describe(name, () => {
      it('has the values of the plain function', () => {
        expectClose(nestedDerivative(op, points, 0), points.map(reference), 1e-6, name);
      });

      for (const order of [1, 2, 3]) {
        it(`has the right derivative of order ${order} under nested tf.grad`, () => {
          const expected = points.map((x) => finiteDerivative(reference, x, order));
          // float32 values against a float64 reference whose own error is ~1e-6.
          expectClose(nestedDerivative(op, points, order), expected, 2e-5, `${name}^(${order})`);
        });
      }
    });
  }

  describe('nestedMatMul', () => {
    const rng = new Rng(4);
    const tensor = (shape: number[], scale: number) => tf.tensor(rng.normals(shape.reduce((a, b) => a * b, 1), scale), shape);

    it('multiplies like tf.matMul for 2-D and batched operands', () => {
      tf.tidy(() => {
        for (const [a, b] of [
          [tensor([3, 5], 1), tensor([5, 2], 1)],
          [tensor([2, 3, 5], 1), tensor([2, 5, 7], 1)],
        ] as const) {
          expectClose(values(nestedMatMul(a, b)), values(tf.matMul(a, b)), 1e-5, 'product');
        }
      });
    });

    it('gives the mixed third-order derivative that EBMM needs, as a float64 reference does', () => {
      // g(B) = ⟨v, ∇_B ‖∇_A Σ tanh(A B)‖²⟩: a derivative w.r.t. B of a derivative w.r.t. A, then a
      // third derivative along v. Compared with central differences of the float64 second-order value.
      const [m, k, n] = [3, 5, 2];
      const a = rng.normals(m * k, 0.5);
      const b = rng.normals(k * n, 0.5);
      const v = rng.normals(k * n, 1);
      const secondOrder64 = (bb: ArrayLike<number>): number => {
        // ‖∇_A Σ tanh(AB)‖² with ∇_A = (1 − tanh²(AB)) Bᵀ, in float64.
        let total = 0;
        const s = new Float64Array(m * n);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let z = 0;
            for (let l = 0; l < k; l++) z += a[i * k + l]! * bb[l * n + j]!;
            s[i * n + j] = 1 - Math.tanh(z) ** 2;
          }
        for (let i = 0; i < m; i++)
          for (let l = 0; l < k; l++) {
            let g = 0;
            for (let j = 0; j < n; j++) g += s[i * n + j]! * bb[l * n + j]!;
            total += g * g;
          }
        return total;
      };
      const along = (t: number) => secondOrder64(Array.from(b, (x, i) => x + t * v[i]!));
      const expected = finiteDerivative(along, 0, 1, 1e-4);
      const actual = tf.tidy(() => {
        const A = tf.tensor(a, [m, k]);
        const gradB = tf.grad((B: tf.Tensor) => {
          const gradA = tf.grad((x: tf.Tensor) => smoothTanh(nestedMatMul(x, B)).sum())(A.clone());
          return gradA.square().sum();
        })(tf.tensor(b, [k, n]));
        return gradB.mul(tf.tensor(v, [k, n])).sum().dataSync()[0]!;
      });
      assert.ok(Math.abs(actual - expected) <= 1e-3 * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);
    });
  });

  describe('stopGradient', () => {
    it('keeps the values and lets no gradient through', () => {
      tf.tidy(() => {
        const x = tf.tensor1d([0.5, -2, 3]);
        expectClose(values(stopGradient(x)), values(x), 0, 'values');
        // d/dx [x·stop(x) + x] = stop(x) + 1: the stopped factor counts as a constant.
        const g = tf.grad((y: tf.Tensor) => y.mul(stopGradient(y)).add(y).sum())(x);
        expectClose(values(g), [1.5, -1, 4], 1e-6, 'gradient');
      });
    });

    it('shares the buffer safely: either tensor may be disposed first, and nothing leaks', async () => {
      await expectNoTensorLeak(() => {
        const x = tf.tensor1d([1, 2, 3]);
        const copy = stopGradient(x);
        x.dispose();
        assert.deepEqual(values(copy), [1, 2, 3]);
        copy.dispose();
        const y = tf.tensor1d([4, 5]);
        stopGradient(y).dispose();
        assert.deepEqual(values(y), [4, 5]);
        y.dispose();
      });
    });
  });
});
