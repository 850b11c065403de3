// Cholesky factorisation and SPD solves of engine/core/linalg.ts against plain float64 loops.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { cholesky, choleskySolve, solveLower, solveUpperTransposed } from '../../../engine/core/linalg';
import { Rng } from '../../../engine/core/random';
import { expectClose, expectNoTensorLeak, values } from '../../helpers/tensors';

/** B random SPD matrices A = G Gᵀ + K·I (row-major, float64). */
function randomSpd(rng: Rng, b: number, k: number): number[] {
  const out: number[] = [];
  for (let e = 0; e < b; e++) {
    const g = Array.from({ length: k * k }, () => rng.normal());
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = i === j ? k : 0;
        for (let t = 0; t < k; t++) s += g[i * k + t]! * g[j * k + t]!;
        out.push(s);
      }
    }
  }
  return out;
}

/** Cholesky–Banachiewicz on one row-major K×K matrix. */
function choleskyLoop(a: number[], k: number): number[] {
  const l = new Array<number>(k * k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j]!;
      for (let t = 0; t < j; t++) s -= l[i * k + t]! * l[j * k + t]!;
      l[i * k + j] = i === j ? Math.sqrt(s) : s / l[j * k + j]!;
    }
  }
  return l;
}

describe('linalg', () => {
  before(async () => {
    await selectBackend('cpu');
  });
  const b = 2;
  const k = 5;
  const m = 3;

  describe('#cholesky', () => {
    it('matches the textbook loop and is exactly lower-triangular', () => {
      const a = randomSpd(new Rng(1), b, k);
      const l = values(tf.tidy(() => cholesky(tf.tensor3d(a, [b, k, k]))));
      const expected = [0, 1].flatMap((e) => choleskyLoop(a.slice(e * k * k, (e + 1) * k * k), k));
      expectClose(l, expected, 1e-4, 'L');
      for (let e = 0; e < b; e++) for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) assert.ok(l[e * k * k + i * k + j] === 0, `L[${i}][${j}] above the diagonal`);
    });
  });

  describe('#choleskySolve', () => {
    it('solves A X = Rhs for every episode of the batch', () => {
      const rng = new Rng(2);
      const a = randomSpd(rng, b, k);
      const rhs = Array.from({ length: b * k * m }, () => rng.normal());
      const x = values(tf.tidy(() => choleskySolve(tf.tensor3d(a, [b, k, k]), tf.tensor3d(rhs, [b, k, m]))));
      const residual: number[] = [];
      for (let e = 0; e < b; e++) {
        for (let i = 0; i < k; i++) {
          for (let c = 0; c < m; c++) {
            let s = 0;
            for (let t = 0; t < k; t++) s += a[e * k * k + i * k + t]! * x[e * k * m + t * m + c]!;
            residual.push(s - rhs[e * k * m + i * m + c]!);
          }
        }
      }
      expectClose(residual, new Array(residual.length).fill(0), 1e-3, 'A X − Rhs');
    });

    it('passes gradients: d/dRhs Σ X = A⁻¹ 1, so A times the gradient is all ones', () => {
      const a = tf.tensor3d(randomSpd(new Rng(3), 1, k), [1, k, k]);
      const rhs = tf.tensor3d(new Rng(4).normals(k), [1, k, 1]);
      const g = tf.grad((r: tf.Tensor) => choleskySolve(a, r as tf.Tensor3D).sum())(rhs);
      expectClose(values(tf.matMul(a, g)), new Array(k).fill(1), 1e-3, 'A · grad');
      tf.dispose([a, rhs, g]);
    });

    it('leaves no tensor behind', async () => {
      const a = tf.tensor3d(randomSpd(new Rng(5), b, k), [b, k, k]);
      const rhs = tf.ones([b, k, m]) as tf.Tensor3D;
      await expectNoTensorLeak(() => choleskySolve(a, rhs).dispose(), 0, 'choleskySolve');
      tf.dispose([a, rhs]);
    });
  });

  describe('#solveLower and #solveUpperTransposed', () => {
    it('invert multiplication by L and by Lᵀ', () => {
      const l = tf.tidy(() => cholesky(tf.tensor3d(randomSpd(new Rng(6), b, k), [b, k, k])));
      const y = tf.tensor3d(new Rng(7).normals(b * k * m), [b, k, m]);
      const back = tf.tidy(() => solveLower(l, tf.matMul(l, y)));
      const backT = tf.tidy(() => solveUpperTransposed(l, tf.matMul(l, y, true, false)));
      expectClose(values(back), values(y), 1e-4, 'L⁻¹ L y');
      expectClose(values(backT), values(y), 1e-4, 'L⁻ᵀ Lᵀ y');
      tf.dispose([l, y, back, backT]);
    });
  });
});
