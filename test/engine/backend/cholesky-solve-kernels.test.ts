// The EngramCholeskySolve kernels (wasm and cpu, compiled or in JavaScript) behind core/linalg.ts's
// choleskySolve: the same solutions, gradients (w.r.t. A's lower triangle and the right-hand side) and
// second derivatives as the tensor-op solve they replace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { solveBatch } from '../../../engine/backend/cholesky-solve-kernels';
import { selectBackend } from '../../../engine/backend/select';
import { CHOLESKY_SOLVE_KERNEL, choleskySolve, choleskySolveOps } from '../../../engine/core/linalg';
import { Rng } from '../../../engine/core/random';
import { backendsHere } from '../../helpers/backends';
import { expectClose } from '../../helpers/tensors';

const [B, K, M] = [3, 5, 2];

/** B random SPD matrices G Gᵀ + K·I, row-major. */
function spd(seed: number): tf.Tensor3D {
  const rng = new Rng(seed);
  const out: number[] = [];
  for (let e = 0; e < B; e++) {
    const g = rng.normals(K * K);
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
      let s = i === j ? K : 0;
      for (let t = 0; t < K; t++) s += g[i * K + t]! * g[j * K + t]!;
      out.push(s);
    }
  }
  return tf.tensor3d(out, [B, K, K]);
}

/** Solution, gradients w.r.t. A and R of Σ W ⊙ X, and a second derivative, for one solve function. */
function everything(solve: (a: tf.Tensor3D, r: tf.Tensor3D) => tf.Tensor3D): tf.Tensor[] {
  return tf.tidy(() => {
    const a = spd(1);
    const r = tf.tensor3d(new Rng(2).normals(B * K * M), [B, K, M]);
    const w = tf.tensor3d(new Rng(3).normals(B * K * M), [B, K, M]);
    const f = (x: tf.Tensor, y: tf.Tensor) => solve(x as tf.Tensor3D, y as tf.Tensor3D).mul(w).sum();
    const [da, dr] = tf.grads(f)([a, r]);
    // d/dR ‖∂f/∂A‖²: differentiates the gradient once more.
    const second = tf.grad((y: tf.Tensor) => tf.grad((x: tf.Tensor) => f(x, y))(a).square().sum())(r);
    return [solve(a, r), da!, dr!, second];
  });
}

describe('EngramCholeskySolve kernels', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}: the tensor-op solve's values, gradients and second derivatives`, async (t) => {
      if (!(await backendsHere()).includes(backend)) return t.skip(`the ${backend} backend does not load here`);
      await selectBackend(backend);
      assert.ok(tf.getKernel(CHOLESKY_SOLVE_KERNEL, backend), `no ${CHOLESKY_SOLVE_KERNEL} kernel on ${backend}`);
      const fast = everything(choleskySolve);
      const ops = everything(choleskySolveOps);
      const names = ['X', '∂/∂A', '∂/∂R', 'second derivative'];
      fast.forEach((f, i) => {
        const want = ops[i]!.dataSync();
        expectClose(f.dataSync(), want, 2e-4 * Math.max(1, ...Array.from(want, Math.abs)), `${backend} ${names[i]}`);
      });
      tf.dispose([...fast, ...ops]);
      await selectBackend('cpu');
    });
  }

  it("in JavaScript (where the addon's compiled solve is not built): the tensor-op solve's values", async () => {
    await selectBackend('cpu');
    const a = spd(1);
    const r = tf.tensor3d(new Rng(2).normals(B * K * M), [B, K, M]);
    const want = choleskySolveOps(a, r);
    const got = new Float32Array(B * K * M);
    solveBatch(B, K, M, a.dataSync(), r.dataSync(), got);
    expectClose(got, want.dataSync(), 2e-4 * Math.max(1, ...Array.from(want.dataSync(), Math.abs)), 'JavaScript X');
    tf.dispose([a, r, want]);
  });

  it('rejects operands that are not [B, K, K] and [B, K, M]', async () => {
    await selectBackend('cpu');
    const a = tf.zeros([2, 3, 3]) as tf.Tensor3D;
    const r = tf.zeros([2, 4, 1]) as tf.Tensor3D;
    assert.throws(() => choleskySolve(a, r), /must be \[B, K, K\] and \[B, K, M\]/);
    tf.dispose([a, r]);
  });
});
